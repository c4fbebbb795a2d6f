"""The filters every metric accepts, parsed once from a query string.

A period is half-open, [start, end): "to" is inclusive as a date, so
``from=2026-01-01&to=2026-01-31`` covers all of January.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.params import param_day

from . import definitions

DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366
PRESETS = (7, 30, 90, 365)


@dataclasses.dataclass(frozen=True)
class MetricFilters:
    start: datetime
    end: datetime
    channel: str = ""
    agent_id: int | None = None
    team_id: int | None = None
    tier: str = ""
    priority: str = ""

    @property
    def days(self) -> int:
        return max(1, round((self.end - self.start).total_seconds() / 86400))

    @property
    def first_day(self) -> date:
        """The period's first day, for showing (``query_params`` has the ISO form)."""
        return timezone.localtime(self.start).date()

    @property
    def last_day(self) -> date:
        return timezone.localtime(self.end).date() - timedelta(days=1)

    def previous(self) -> MetricFilters:
        """The period of the same length just before this one, same filters."""
        length = self.end - self.start
        return dataclasses.replace(self, start=self.start - length, end=self.start)

    def with_period(self, start: datetime, end: datetime) -> MetricFilters:
        return dataclasses.replace(self, start=start, end=end)

    def query_params(self) -> dict[str, str]:
        """The query-string form, for links and exports."""
        params = {
            "from": timezone.localtime(self.start).date().isoformat(),
            "to": (timezone.localtime(self.end).date() - timedelta(days=1)).isoformat(),
        }
        for dimension, value in definitions.chosen(self):
            params[dimension.param] = str(value)
        return params


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def period_for_days(days: int, *, today: date | None = None) -> tuple[datetime, datetime]:
    """The last ``days`` whole days including today."""
    today = today or timezone.localdate()
    return day_start(today - timedelta(days=days - 1)), day_start(today + timedelta(days=1))


def parse_filters(params, *, me_id: int | None = None) -> MetricFilters:
    """MetricFilters from a QueryDict-like mapping; ValidationError naming the field."""
    start_day, end_day = param_day(params, "from"), param_day(params, "to")
    days = (params.get("days") or "").strip()
    if days and not start_day and not end_day:
        if not days.isdigit() or not 1 <= int(days) <= MAX_DAYS:
            raise ValidationError({"days": _("Enter a number of days from 1 to 1098.")})
        start, end = period_for_days(int(days))
    else:
        end_day = end_day or timezone.localdate()
        start_day = start_day or end_day - timedelta(days=DEFAULT_DAYS - 1)
        if start_day > end_day:
            raise ValidationError({"from": _("The start date must not be after the end date.")})
        if (end_day - start_day).days >= MAX_DAYS:
            raise ValidationError({"from": _("The period may be at most three years long.")})
        start, end = day_start(start_day), day_start(end_day + timedelta(days=1))
    return MetricFilters(start=start, end=end, **{
        d.attr: d.parse(params, d.param, me_id) for d in definitions.FILTERS})
