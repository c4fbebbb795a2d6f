"""Survey emails, written to the outbox in the caller's transaction.

Each is rendered in the recipient's language from ``templates/surveys/email/``:
a subject, a plain-text body and (for customers) a table-based HTML body that
renders in common mail clients (no CSS classes, no scripts, inline styles).
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from helpdesk.outbox import queue_email

from .models import SCALE_LABELS, FollowUp, Invitation, Response
from .tokens import make_ask_token, make_score_token, make_unsubscribe_token


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def score_links(invitation: Invitation) -> list[dict]:
    low, high = invitation.program.scale if invitation.program else (1, 5)
    return [{"score": score,
             "url": absolute(reverse("surveys:answer", args=[make_score_token(invitation.pk, score)]))}
            for score in range(low, high + 1)]


def unsubscribe_url(customer_id: int) -> str:
    return absolute(reverse("surveys:unsubscribe", args=[make_unsubscribe_token(customer_id)]))


def _render(name: str, language: str, context: dict, html: bool = False) -> tuple[str, str, str]:
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {"site_url": settings.SITE_URL, "brand": settings.HELPDESK_BRAND_NAME,
                   "language": language, **context}
        subject = render_to_string(f"surveys/email/{name}_subject.txt", context)
        text = render_to_string(f"surveys/email/{name}.txt", context)
        body_html = render_to_string(f"surveys/email/{name}.html", context) if html else ""
    return " ".join(subject.split()), text, body_html


def render_invitation(*, invitation: Invitation, reminder: bool, language: str,
                      links: list[dict], unsubscribe: str) -> tuple[str, str, str]:
    """(subject, text, HTML) of an invitation: what is sent, and what the preview shows."""
    program = invitation.program
    context = {
        "customer": invitation.customer, "ticket": invitation.ticket, "reminder": reminder,
        "question": program.question(language), "links": links,
        "low": links[0]["score"], "high": links[-1]["score"],
        "metric": program.metric, "unsubscribe_url": unsubscribe,
        "expires_at": invitation.expires_at, "labels": SCALE_LABELS[program.metric],
    }
    return _render("invitation", language, context, html=True)


def send_invitation(*, invitation: Invitation, reminder: bool) -> None:
    customer, ticket = invitation.customer, invitation.ticket
    language = customer.language
    unsubscribe = unsubscribe_url(customer.pk)
    subject, text, html = render_invitation(
        invitation=invitation, reminder=reminder, language=language,
        links=score_links(invitation), unsubscribe=unsubscribe)
    queue_email(
        kind="survey_reminder" if reminder else "survey_invitation",
        to=customer.email, subject=subject, body_text=text, body_html=html,
        # RFC 2369 + RFC 8058: mail clients show an unsubscribe button that POSTs.
        headers={"List-Unsubscribe": f"<{unsubscribe}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        language=language, ticket_id=ticket.pk if ticket else None,
        related_key=f"surveys.invitation:{invitation.pk}",
    )


def send_follow_up_alert(*, follow_up: FollowUp, response: Response, to=None) -> None:
    """The alert to ``to`` (a staff user: the owner, or each manager when one of them
    owns it by default); without one, to the team's address."""
    person = to
    to = person.email if person else (follow_up.team.email if follow_up.team else "")
    if not to:
        return
    language = (person.language if person else "") or settings.LANGUAGE_CODE
    context = {"follow_up": follow_up, "response": response, "ticket": follow_up.ticket,
               "url": absolute(reverse("surveys:followups"))}
    subject, text, _ = _render("followup_alert", language, context)
    queue_email(kind="survey_followup_alert", to=to, subject=subject, body_text=text,
                language=language, ticket_id=follow_up.ticket_id,
                related_key=f"surveys.followup:{follow_up.pk}")


def ask_url(ask_id: int) -> str:
    return absolute(reverse("surveys:ask", args=[make_ask_token(ask_id)]))


def send_promoter_thanks(*, response: Response, ask) -> None:
    """The promoter's thank-you carrying one ask (``PromoterAsk``) as a tracked link."""
    customer = response.customer
    context = {"customer": customer, "ask_url": ask_url(ask.pk), "ask_kind": ask.kind,
               "ticket": response.ticket}
    subject, text, _ = _render("thanks", customer.language, context)
    queue_email(kind="survey_thanks", to=customer.email, subject=subject, body_text=text,
                language=customer.language, ticket_id=response.ticket_id,
                related_key=f"surveys.response:{response.pk}")
