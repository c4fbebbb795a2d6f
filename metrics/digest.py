"""The weekly digest: last week's headline numbers against the week before."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from helpdesk.models import User
from helpdesk.outbox import queue_email
from surveys.models import FollowUp

from .fast import read
from .filters import MetricFilters, day_start


def last_week() -> MetricFilters:
    """The seven whole days before today."""
    today = timezone.localdate()
    return MetricFilters(start=day_start(today - timedelta(days=7)), end=day_start(today))


def worst_channel(rows: list[dict]) -> dict | None:
    """The channel with the lowest NPS among those with enough responses (else any with n)."""
    scored = [r for r in rows if r["nps"]["score"] is not None]
    enough = [r for r in scored if not r["nps"]["too_few"]] or scored
    return min(enough, key=lambda r: r["nps"]["score"]) if enough else None


def digest_context(f: MetricFilters) -> dict:
    current, previous = read.summary_pair(f)
    return {
        "filters": f, "current": current, "previous": previous,
        "worst_channel": worst_channel(read.breakdown(f, "channel")),
        "open_follow_ups": FollowUp.objects.filter(status=FollowUp.Status.OPEN).count(),
    }


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def digest_rows(context: dict) -> list[dict]:
    """The HTML digest's table: each figure, its n, both weeks and the link behind it."""
    from .links import dashboard_links
    from .templatetags.metrics_tags import number

    f, cur, prev = context["filters"], context["current"], context["previous"]
    links = dashboard_links(f)

    def row(label, key, figure, unit="", n=None, too_few=False):
        return {"label": label, "url": _absolute(links[key]), "n": n, "too_few": too_few,
                "current": number(figure(cur), unit), "previous": number(figure(prev), unit)}

    return [
        row(_("NPS"), "nps", lambda s: s["nps"]["score"], n=cur["nps"]["n"],
            too_few=cur["nps"]["too_few"]),
        row(_("CSAT"), "csat", lambda s: s["csat"]["score"], "%", n=cur["csat"]["n"],
            too_few=cur["csat"]["too_few"]),
        row(_("CES"), "ces", lambda s: s["ces"]["score"], n=cur["ces"]["n"]),
        row(_("First response SLA met"), "first_response",
            lambda s: s["first_response"]["sla_met_pct"], "%"),
        row(_("Resolution SLA met"), "resolution", lambda s: s["resolution"]["sla_met_pct"], "%"),
        row(_("Tickets created"), "created", lambda s: s["tickets_created"]),
        row(_("Tickets solved"), "solved", lambda s: s["tickets_solved"]),
    ]


def render_digest(user, context: dict) -> tuple[str, str, str]:
    """(subject, text, HTML) of one manager's digest, in their language."""
    f = context["filters"]
    with translation.override(user.language or None):
        subject = _("Weekly support digest, week of %(day)s") % {
            "day": date_format(timezone.localtime(f.start).date(), "DATE_FORMAT")}
        extra = {
            "user": user, "subject": subject, "brand": settings.HELPDESK_BRAND_NAME,
            "language": translation.get_language(), "rows": digest_rows(context),
            "period_start": timezone.localtime(f.start).date(),
            "period_end": timezone.localtime(f.end).date() - timedelta(days=1),
            "dashboard_url": _absolute(f"{reverse('metrics:dashboard')}?"
                                       f"{urlencode(f.query_params())}"),
            "follow_ups_url": _absolute(reverse("surveys:followups")),
            "preference_url": _absolute(reverse("metrics:digest_preference")),
        }
        text = render_to_string("metrics/email/digest.txt", context | extra)
        html = render_to_string("metrics/email/digest.html", context | extra)
    return subject, text, html


def recipients():
    return (User.objects.filter(is_active=True, role__in=[User.Role.MANAGER, User.Role.ADMIN])
            .filter(metrics_digest_opt_out__isnull=True).exclude(email=""))


@transaction.atomic
def send_weekly_digest() -> int:
    """Queue one digest per manager who has not opted out; returns how many."""
    f = last_week()
    context = digest_context(f)
    sent = 0
    week_key = timezone.localtime(f.start).date().isoformat()
    for user in recipients():
        subject, body, html = render_digest(user, context)
        queue_email(kind="metrics_digest", to=user.email, subject=subject, body_text=body,
                    body_html=html, language=user.language,
                    related_key=f"digest:{week_key}:{user.pk}")
        sent += 1
    return sent
