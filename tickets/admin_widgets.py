"""Admin form pieces: SLA targets in hours and minutes, a calendar's holidays listed.

The SLA policy still stores minutes (``first_response_minutes`` …); the admin only lets
people type "8 h 30 min" instead of working out 510 (docs/pages.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import holidays as holidays_lib
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class HoursMinutesWidget(forms.MultiWidget):
    template_name = "tickets/widgets/hours_minutes.html"  # an app folder: forms look there

    def __init__(self, attrs=None):
        base = {"min": 0, "class": "vHoursMinutes", **(attrs or {})}
        super().__init__((forms.NumberInput(attrs={**base, "aria-label": gettext_lazy("hours")}),
                          forms.NumberInput(attrs={**base, "max": 59,
                                                   "aria-label": gettext_lazy("minutes")})))

    def decompress(self, value):
        if value in (None, ""):
            return [None, None]
        return [int(value) // 60, int(value) % 60]


class HoursMinutesField(forms.MultiValueField):
    """A duration typed as hours and minutes, cleaned to whole minutes (None when empty).
    Errors name the field, so they read right also at the top of the form."""

    widget = HoursMinutesWidget

    def __init__(self, *, required: bool = False, **kwargs):
        number = {"invalid": gettext_lazy("Enter whole numbers.")}
        fields = (
            forms.IntegerField(required=False, min_value=0, max_value=100_000, error_messages={
                **number, "min_value": gettext_lazy("Hours cannot be negative."),
                "max_value": gettext_lazy("Too many hours.")}),
            forms.IntegerField(required=False, min_value=0, max_value=59, error_messages={
                **number, "min_value": gettext_lazy("Minutes must be between 0 and 59."),
                "max_value": gettext_lazy("Minutes must be between 0 and 59.")}),
        )
        super().__init__(fields, required=required, require_all_fields=False, **kwargs)

    def clean(self, value):
        try:
            return super().clean(value)
        except ValidationError as exc:
            raise ValidationError([f"{self.label}: {message}" for message in exc.messages],
                                  code="invalid") from None

    def compress(self, data_list):
        if not data_list or all(part in (None, "") for part in data_list):
            return None
        hours, minutes = (part or 0 for part in data_list)
        return hours * 60 + minutes


@dataclass(frozen=True)
class HolidayRow:
    day: date
    name: str
    own: bool  # the calendar's own extra date, not a public holiday


def holidays_to_apply(calendar, *, years: tuple[int, ...] | None = None) -> list[HolidayRow]:
    """The days the SLA clocks skip for ``calendar``: public holidays of its country and
    subdivision (the ``holidays`` package, named in the page's language where the package
    has it) and its own extra dates, for this year and next unless ``years`` is given."""
    today = timezone.localdate()
    years = years or (today.year, today.year + 1)
    rows: dict[date, HolidayRow] = {}
    if calendar.holiday_country:
        table = holidays_lib.country_holidays(
            calendar.holiday_country, subdiv=calendar.holiday_subdivision or None, years=years)
        language = _holiday_language(table, translation.get_language() or "en")
        if language:
            table = holidays_lib.country_holidays(
                calendar.holiday_country, subdiv=calendar.holiday_subdivision or None,
                years=years, language=language)
        rows = {day: HolidayRow(day, str(name), False) for day, name in table.items()}
    if calendar.pk:
        for day, name in calendar.custom_holidays.filter(
                date__year__in=years).values_list("date", "name"):
            rows[day] = HolidayRow(day, name or _("Extra holiday"), True)
    return [rows[day] for day in sorted(rows)]


def _holiday_language(table, language: str) -> str | None:
    supported = getattr(table, "supported_languages", ()) or ()
    for candidate in (language, language.split("-")[0], f"{language}_US"):
        if candidate in supported:
            return candidate
    return None
