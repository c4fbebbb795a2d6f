"""Filters of the responses API and CSV export, with the metrics' meanings:
``from``/``to`` are inclusive dates in the site's time zone; both are optional here
(no period means every response)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.params import param_choice, param_day, param_id
from tickets.models import Channel

from .models import Kind, Metric, Response


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_responses(responses: QuerySet[Response], params, *, me_id: int) -> QuerySet[Response]:
    """Apply from, to, channel, agent, team, metric, theme, kind; ValidationError naming a
    bad field."""
    start, end = param_day(params, "from"), param_day(params, "to")
    if start and end and start > end:
        raise ValidationError({"from": _("The start date must not be after the end date.")})
    if start:
        responses = responses.filter(created_at__gte=_start(start))
    if end:
        responses = responses.filter(created_at__lt=_start(end + timedelta(days=1)))
    if channel := param_choice(params, "channel", Channel):
        responses = responses.filter(channel=channel)
    if metric := param_choice(params, "metric", Metric):
        responses = responses.filter(metric=metric)
    if kind := param_choice(params, "kind", Kind):
        responses = responses.filter(kind=kind)
    if (agent := param_id(params, "agent", me_id=me_id)) is not None:
        responses = responses.filter(agent_id=agent)
    if (team := param_id(params, "team")) is not None:
        responses = responses.filter(team_id=team)
    if (theme := param_id(params, "theme")) is not None:
        # A comment theme of metrics (docs/insights.md), reached by the reverse name of
        # its ResponseTheme row: metrics reads surveys, surveys imports nothing of it.
        responses = responses.filter(comment_theme__theme_id=theme)
    return responses
