"""The weekly digest: last week's headline numbers against the week before."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from helpdesk.models import User
from helpdesk.outbox import queue_email
from surveys.models import FollowUp

from . import queries
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
    current, previous = queries.summary_pair(f)
    return {
        "filters": f, "current": current, "previous": previous,
        "worst_channel": worst_channel(queries.breakdown(f, "channel")),
        "open_follow_ups": FollowUp.objects.filter(status=FollowUp.Status.OPEN).count(),
    }


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
        with translation.override(user.language or None):
            subject = _("Weekly support digest, week of %(day)s") % {"day": week_key}
            body = render_to_string("metrics/email/digest.txt", context | {"user": user})
        queue_email(kind="metrics_digest", to=user.email, subject=subject, body_text=body,
                    language=user.language, related_key=f"digest:{week_key}:{user.pk}")
        sent += 1
    return sent
