"""Readers of query-string parameters shared by the list and report endpoints.

Each raises Django's ValidationError naming the parameter, which the API turns
into a 400 and the pages into a form error, never a 500.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import django_filters
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

# Dates a filter may name. Outside this range Python's datetime overflows once a day is
# added or a time zone applied, and PostgreSQL refuses years before 1 or after 294276.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(9998, 12, 31)
# Real time zones lie within UTC-12:00 … UTC+14:00; PostgreSQL refuses an offset past
# ±15:59 ("time zone displacement out of range"), Python accepts up to ±23:59.
MAX_UTC_OFFSET = timedelta(hours=14)


def param_day(params, field: str) -> date | None:
    raw = (params.get(field) or "").strip()
    if not raw:
        return None
    try:
        parsed = parse_date(raw)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError({field: _("Enter a date as YYYY-MM-DD.")}, code="invalid")
    check_day(parsed, field)
    return parsed


def _out_of_range(field: str) -> ValidationError:
    return ValidationError(
        {field: _("Enter a date between %(earliest)s and %(latest)s.")
         % {"earliest": EARLIEST_DAY.isoformat(), "latest": LATEST_DAY.isoformat()}},
        code="out_of_range",
    )


def check_day(value: date, field: str) -> date:
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise _out_of_range(field)
    return value


def check_datetime(value: datetime, field: str) -> datetime:
    """A parsed date-time a query may use: a plausible year and a real UTC offset."""
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValidationError(
            {field: _("Enter a UTC offset between -14:00 and +14:00.")}, code="bad_offset")
    check_day(value.date(), field)
    return value


class BoundedIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date-time that the database can compare with (see check_datetime)."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return check_datetime(parsed, "value")
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["value"], code="invalid") from None


@extend_schema_field(OpenApiTypes.DATETIME)
class IsoDateTimeParamFilter(django_filters.IsoDateTimeFilter):
    """django-filter's IsoDateTimeFilter, refusing values the database cannot take."""

    field_class = BoundedIsoDateTimeField


def param_id(params, field: str, *, me_id: int | None = None) -> int | None:
    """A numeric id, or ``me`` for the requesting user's id where ``me_id`` is given."""
    raw = (params.get(field) or "").strip()
    if not raw:
        return None
    if raw == "me" and me_id is not None:
        return me_id
    if not raw.isdigit():
        raise ValidationError({field: _("Enter a numeric id.")}, code="invalid")
    return int(raw)


def param_choice(params, field: str, choices) -> str:
    raw = (params.get(field) or "").strip()
    if raw and raw not in choices.values:
        raise ValidationError(
            {field: _("Choose one of: %(values)s.") % {"values": ", ".join(choices.values)}},
            code="invalid_choice",
        )
    return raw
