"""Readers of query-string parameters shared by the list and report endpoints.

Each raises Django's ValidationError naming the parameter, which the API turns
into a 400 and the pages into a form error, never a 500.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _


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
    return parsed


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
