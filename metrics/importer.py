"""Import organizations' revenue and account dates from CSV, through the tickets service."""

from __future__ import annotations

import csv
import dataclasses
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from tickets.models import Organization
from tickets.services.customers import update_organization_account


@dataclasses.dataclass
class ImportResult:
    updated: int = 0
    errors: list[str] = dataclasses.field(default_factory=list)


def _parse_row(row: dict) -> dict:
    values: dict = {}
    revenue = (row.get("annual_revenue") or "").strip()
    if revenue:
        try:
            values["annual_revenue"] = Decimal(revenue)
        except InvalidOperation:
            raise ValueError(_("annual_revenue is not a number")) from None
    for field in ("active_since", "churned_at"):
        raw = (row.get(field) or "").strip()
        if raw:
            day = parse_date(raw) if len(raw) == 10 else None
            if day is None:
                raise ValueError(_("%(field)s is not a date YYYY-MM-DD") % {"field": field})
            values[field] = day
    return values


def import_organizations(upload) -> ImportResult:
    """Rows naming an unknown organization, or with bad values, are reported, not applied."""
    text = upload.read().decode("utf-8-sig") if hasattr(upload, "read") else upload
    result = ImportResult()
    reader = csv.DictReader(io.StringIO(text))
    by_name = {o.name.lower(): o for o in Organization.objects.all()}
    for line, row in enumerate(reader, start=2):
        organization = by_name.get((row.get("name") or "").strip().lower())
        if organization is None:
            result.errors.append(_("Line %(line)d: no organization named %(name)r.")
                                 % {"line": line, "name": row.get("name")})
            continue
        try:
            with transaction.atomic():
                update_organization_account(organization=organization, **_parse_row(row))
        except (ValueError, ValidationError) as exc:
            result.errors.append(_("Line %(line)d: %(error)s") % {"line": line, "error": exc})
            continue
        result.updated += 1
    return result
