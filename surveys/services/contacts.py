"""The contact list of a relationship program, imported from CSV with a per-row report."""

from __future__ import annotations

import csv
import io
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from tickets.models import Customer, Organization

from ..models import ProgramContact, SurveyProgram

MAX_ROWS = 200_000


@dataclass
class ImportReport:
    imported: int = 0
    created: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, why)


def _row_error(row: dict, organizations: dict[str, int], zones: set[str]) -> str:
    email = (row.get("email") or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        return _("“%(email)s” is not an email address.") % {"email": email}
    language = (row.get("language") or "").strip()
    if language and language not in dict(settings.LANGUAGES):
        return _("Unknown language “%(value)s”.") % {"value": language}
    zone = (row.get("time_zone") or "").strip()
    if zone and zone not in zones:
        return _("Unknown time zone “%(value)s”.") % {"value": zone}
    org = (row.get("organization") or "").strip()
    if org and org.lower() not in organizations:
        return _("No organization “%(value)s”.") % {"value": org}
    return ""


@transaction.atomic
def import_contacts(*, program: SurveyProgram, text: str) -> ImportReport:
    """Add the CSV's contacts (columns: email, and optionally name, organization,
    language, time_zone) to the program's list; a malformed row is reported by its
    line number and the rest are imported. Existing customers are matched by email
    (case-insensitive) and only their empty details are filled in."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or "email" not in [f.strip().lower() for f in reader.fieldnames]:
        report.errors.append((1, _("The first line must name the columns, one of them “email”.")))
        return report
    organizations = {name.lower(): pk for pk, name in Organization.objects.values_list("pk", "name")}
    zones = zoneinfo.available_timezones()
    good: dict[str, dict] = {}
    for line, raw in enumerate(reader, start=2):
        if line > MAX_ROWS + 1:
            report.errors.append((line, _("Too many rows; the rest were not read.")))
            break
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()
               if isinstance(v, str)}
        error = _row_error(row, organizations, zones)
        if error:
            report.errors.append((line, error))
        else:
            good[row["email"].lower()] = row
    _save(program, good, organizations, report)
    return report


def _save(program: SurveyProgram, good: dict[str, dict], organizations: dict[str, int],
          report: ImportReport) -> None:
    existing = {c.email.lower(): c for c in Customer.objects.annotate(e=Lower("email"))
                .filter(e__in=list(good))}
    new = [Customer(email=row["email"], name=row.get("name", ""),
                    language=row.get("language") or settings.LANGUAGE_CODE,
                    time_zone=row.get("time_zone", ""),
                    organization_id=organizations.get(row.get("organization", "").lower()))
           for email, row in good.items() if email not in existing]
    Customer.objects.bulk_create(new, batch_size=1000)
    report.created = len(new)
    ids = list(Customer.objects.annotate(e=Lower("email")).filter(e__in=list(good))
               .values_list("pk", flat=True))
    ProgramContact.objects.bulk_create([ProgramContact(program=program, customer_id=pk)
                                        for pk in ids], ignore_conflicts=True, batch_size=1000)
    report.imported = len(ids)
