"""SLA warning and breach emails, queued in the outbox.

The recipient is the assignee, else the team lead, else the team address: the
person who can still act on the ticket first.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from helpdesk.outbox import queue_email

from ...models import TeamMembership, Ticket

CLOCK_LABELS = {
    "first_response": _("first response"),
    "next_response": _("next response"),
    "resolution": _("resolution"),
}


def notify(*, ticket_ids: list[int], clock: str, kind: str) -> int:
    """Queue one email per ticket; three queries however many tickets."""
    if not ticket_ids:
        return 0
    tickets = list(Ticket.objects.filter(pk__in=ticket_ids)
                   .select_related("assignee", "team", "sla"))
    leads = {
        m.team_id: m.user
        for m in TeamMembership.objects.filter(
            team_id__in={t.team_id for t in tickets if t.team_id}, is_lead=True,
            user__is_active=True,
        ).select_related("user").order_by("pk")
    }
    sent = 0
    for ticket in tickets:
        person = ticket.assignee if ticket.assignee and ticket.assignee.is_active else None
        team = ticket.team
        person = person or (leads.get(team.pk) if team is not None else None)
        to = person.email if person else (team.email if team is not None else "")
        if not to:
            continue  # nobody to tell; the breach flag is still set for the queues
        language = (person.language if person else "") or settings.LANGUAGE_CODE
        _queue(ticket, clock, kind, to, language)
        sent += 1
    return sent


def _queue(ticket: Ticket, clock: str, kind: str, to: str, language: str) -> None:
    template = f"tickets/email/sla_{kind}"
    with translation.override(language):
        context = {"ticket": ticket, "sla": ticket.sla, "clock": str(CLOCK_LABELS[clock]),
                   "due_at": getattr(ticket.sla, f"{clock}_due_at"),
                   "site_url": settings.SITE_URL, "language": language,
                   "brand_name": getattr(settings, "HELPDESK_BRAND_NAME", "Helpdesk")}
        subject = render_to_string(f"{template}_subject.txt", context)
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    queue_email(kind=f"sla_{kind}", to=to, subject=" ".join(subject.split()), body_text=text,
                body_html=html, language=language, ticket_id=ticket.pk,
                related_key=f"sla:{clock}:{kind}",
                # Our own robots' mail: intake recognises it, others do not auto-reply to it.
                headers={"X-Helpdesk-Ticket": ticket.reference, "Auto-Submitted": "auto-generated",
                         "X-Auto-Response-Suppress": "All"})
