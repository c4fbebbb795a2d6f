"""Alerts above the noise (docs/relationship-surveys.md, "Alerts").

A subscription names a score (NPS, CSAT, CES easy %) of a subject (overall, a channel,
team, agent or organization). The periodic task compares the last ``window_days`` with
the window before, with the same two-sample tests as the dashboard's verdicts
(``tiles.score_comparisons``: NPS adjusted-Wald z, CSAT and CES-easy two proportions),
and fires only when the change is larger than the noise (p < 0.05) and both windows have
at least HELPDESK_MIN_RESPONSES answers. One alert per subscription a day (a unique
constraint), by email and in the app. Transactional answers only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from helpdesk.models import User
from helpdesk.outbox import queue_email
from surveys.models import Kind, Metric, Response
from tickets.models import Channel, Organization, Team

from . import stats
from .alert_models import Alert, AlertSubscription
from .definitions import BY_NAME, DETRACTORS, GOOD, PROMOTERS, current_scale

Subject = AlertSubscription.Subject
# A subject's column on the responses (metrics/definitions.py).
_FIELD = {subject: BY_NAME[subject].response for subject in (
    Subject.CHANNEL, Subject.TEAM, Subject.AGENT, Subject.ORGANIZATION)}


def subject_name(subject: str, key: str) -> str | None:
    """The subject's display name, or None when it does not exist."""
    if subject == Subject.OVERALL:
        return str(_("everyone"))
    if subject == Subject.CHANNEL:
        return str(dict(Channel.choices)[key]) if key in Channel.values else None
    if not key.isdigit():
        return None
    model = {Subject.TEAM: Team, Subject.ORGANIZATION: Organization}.get(subject)
    if model is not None:
        found = model.objects.filter(pk=int(key)).first()
        return str(found) if found else None
    agent = User.objects.filter(pk=int(key)).exclude(role="").first()
    return agent.get_short_name() if agent else None


def validate_subject(subject: str, key: str) -> str:
    """The subject's name; ValidationError naming ``subject_key`` when it does not exist."""
    if subject not in Subject.values:
        raise ValidationError({"subject": _("Choose one of: %(values)s.")
                               % {"values": ", ".join(Subject.values)}})
    name = subject_name(subject, (key or "").strip())
    if name is None:
        raise ValidationError({"subject_key": _("No %(subject)s “%(key)s” exists.")
                               % {"subject": subject, "key": key}})
    return name


def _responses(metric: str, subject: str, key: str):
    qs = Response.objects.filter(current_scale(), kind=Kind.TRANSACTIONAL, metric=metric)
    if subject != Subject.OVERALL:
        qs = qs.filter(**{_FIELD[subject]: key})
    return qs


def _success(metric: str) -> Q:
    """What counts as a success in the proportion tests (as on the dashboard)."""
    return GOOD[metric].q()


def window_counts(sub: AlertSubscription, now: datetime) -> dict:
    """Counts of the current and previous window in one query."""
    length = timedelta(days=sub.window_days)
    cur, prev = Q(created_at__gte=now - length), Q(created_at__lt=now - length)
    qs = _responses(sub.metric, sub.subject, sub.subject_key).filter(
        created_at__gte=now - 2 * length, created_at__lt=now)
    if sub.metric == Metric.NPS:
        pro, det = PROMOTERS.q(), DETRACTORS.q()
        return qs.aggregate(cur_n=Count("pk", filter=cur), prev_n=Count("pk", filter=prev),
                            cur_a=Count("pk", filter=cur & pro), cur_b=Count("pk", filter=cur & det),
                            prev_a=Count("pk", filter=prev & pro),
                            prev_b=Count("pk", filter=prev & det))
    ok = _success(sub.metric)
    return qs.aggregate(cur_n=Count("pk", filter=cur), prev_n=Count("pk", filter=prev),
                        cur_a=Count("pk", filter=cur & ok), prev_a=Count("pk", filter=prev & ok))


def compare(metric: str, c: dict) -> tuple[stats.Comparison, float | None, float | None]:
    """(test, current score, previous score) from ``window_counts``."""
    if metric == Metric.NPS:
        cur, prev = (c["cur_a"], c["cur_b"], c["cur_n"]), (c["prev_a"], c["prev_b"], c["prev_n"])
        return stats.compare_nps(cur, prev), stats.nps_score(*cur), stats.nps_score(*prev)
    test = stats.compare_proportions((c["cur_a"], c["cur_n"]), (c["prev_a"], c["prev_n"]))
    return test, _pct(c["cur_a"], c["cur_n"]), _pct(c["prev_a"], c["prev_n"])


def _pct(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def should_fire(sub: AlertSubscription, counts: dict, test: stats.Comparison) -> bool:
    minimum = settings.HELPDESK_MIN_RESPONSES
    if counts["cur_n"] < minimum or counts["prev_n"] < minimum or not test.significant:
        return False
    return sub.direction == AlertSubscription.Direction.ANY or test.difference < 0


def evaluate_alerts(*, now: datetime | None = None) -> int:
    """Fire what is due; returns the number of alerts fired."""
    now = now or timezone.now()
    fired = 0
    for sub in AlertSubscription.objects.select_related("user").filter(user__is_active=True):
        counts = window_counts(sub, now)
        test, current, previous = compare(sub.metric, counts)
        if should_fire(sub, counts, test) and _fire(sub, counts, test, current, previous, now):
            fired += 1
    return fired


def _fire(sub, counts, test, current, previous, now) -> bool:
    language = sub.user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        name = subject_name(sub.subject, sub.subject_key) or sub.subject_key
        message = (_("%(metric)s of %(subject)s fell from %(previous).1f to %(current).1f "
                     "(n = %(n)d), more than the noise.") if test.difference < 0 else
                   _("%(metric)s of %(subject)s rose from %(previous).1f to %(current).1f "
                     "(n = %(n)d), more than the noise.")) % {
            "metric": sub.get_metric_display(), "subject": name, "previous": previous,
            "current": current, "n": counts["cur_n"]}
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                subscription=sub, user=sub.user, day=timezone.localdate(now), message=message,
                current=current, previous=previous, n_current=counts["cur_n"],
                n_previous=counts["prev_n"], p_value=test.p_value, created_at=now)
            _email(alert, language)
    except IntegrityError:  # already fired today for this subject
        return False
    return True


def _email(alert: Alert, language: str) -> None:
    with translation.override(language):
        subject = _("Alert: %(message)s") % {"message": alert.message}
        body = "\n\n".join([alert.message, f"{settings.SITE_URL}{reverse('metrics:alerts')}"])
    queue_email(kind="metrics_alert", to=alert.user.email, subject=subject[:250],
                body_text=body, language=language, related_key=f"metrics.alert:{alert.pk}")
