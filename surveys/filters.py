"""Filters of the responses API and CSV export, with the metrics' meanings:
``from``/``to`` are inclusive dates in the site's time zone; both are optional here
(no period means every response)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from tickets.models import Channel

from .models import Metric, Response


def _day(params, field: str) -> date | None:
    raw = (params.get(field) or "").strip()
    if not raw:
        return None
    try:
        parsed = parse_date(raw)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError({field: _("Enter a date as YYYY-MM-DD.")}, code="invalid")
    return parsed


def _id(params, field: str, me_id: int) -> int | None:
    raw = (params.get(field) or "").strip()
    if not raw:
        return None
    if raw == "me":
        return me_id
    if not raw.isdigit():
        raise ValidationError({field: _("Enter a numeric id.")}, code="invalid")
    return int(raw)


def _choice(params, field: str, choices) -> str:
    raw = (params.get(field) or "").strip()
    if raw and raw not in choices.values:
        raise ValidationError({field: _("Choose one of: %(values)s.")
                               % {"values": ", ".join(choices.values)}}, code="invalid_choice")
    return raw


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_responses(responses: QuerySet[Response], params, *, me_id: int) -> QuerySet[Response]:
    """Apply from, to, channel, agent, team, metric; ValidationError naming a bad field."""
    start, end = _day(params, "from"), _day(params, "to")
    if start and end and start > end:
        raise ValidationError({"from": _("The start date must not be after the end date.")})
    if start:
        responses = responses.filter(created_at__gte=_start(start))
    if end:
        responses = responses.filter(created_at__lt=_start(end + timedelta(days=1)))
    if channel := _choice(params, "channel", Channel):
        responses = responses.filter(channel=channel)
    if metric := _choice(params, "metric", Metric):
        responses = responses.filter(metric=metric)
    if (agent := _id(params, "agent", me_id)) is not None:
        responses = responses.filter(agent_id=agent)
    if (team := _id(params, "team", me_id)) is not None:
        responses = responses.filter(team_id=team)
    return responses
