"""Custom ticket fields as key-driver factors (docs/insights.md, docs/custom-fields.md).

Every active dropdown becomes a factor ``field_<key>`` whose levels are its options (labels
in the user's language); every active checkbox a factor with the levels yes / no, "no"
only where the field applies (its channels and teams, on the response's channel and team:
an unticked box is not stored, docs/custom-fields.md). Multi-selects are left out: a
ticket may hold several of their options, so a response would sit at several levels.

The values are the tickets' current ones: one LEFT JOIN of tickets_ticketfieldvalue per
field on its unique (ticket, field, value) index, in the drivers' grouped query over the
facts (a filtered selection) and in the per-day DriverCounts (an unfiltered one, as the
built-in factors). Those counts follow the values: the refresh rewrites them with the
facts; a change of a ticket's values (``ticket_updated`` with a ``field.<key>`` change)
rewrites the field rows of the days of that ticket's responses, and a change of a field's
definition the field rows of every held day (metrics/receivers.py). Only field ids are
written into the SQL; a stored value that is no longer one of the field's options has no
level (``Factor.closed``). Cost: one query for the fields, whatever their number.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tickets.models import Channel, CustomField, TicketFieldValue

from ..models import DriverCounts, ResponseFacts
from . import drivers

KINDS = (CustomField.Type.DROPDOWN, CustomField.Type.CHECKBOX)


def _join(alias: str, field_id: int) -> str:
    return (f"LEFT JOIN {TicketFieldValue._meta.db_table} {alias} "
            f"ON {alias}.ticket_id = x.ticket_id AND {alias}.field_id = {int(field_id)}")


def _applies(field: CustomField) -> str:
    """SQL: the field shows on the response's ticket (its channels and teams)."""
    parts = []
    if field.channels:
        known = [c for c in field.channels if c in Channel.values]  # constants, not input
        parts.append("x.channel IN (" + ", ".join(f"'{c}'" for c in known) + ")"
                     if known else "1 = 0")
    m2m = CustomField.teams.through._meta.db_table
    # Table names and integer ids only are interpolated.
    teams = f"SELECT ft.team_id FROM {m2m} ft WHERE ft.customfield_id = {int(field.pk)}"  # noqa: S608
    parts.append(f"(NOT EXISTS ({teams}) OR x.team_id IN ({teams}))")
    return " AND ".join(parts)


def custom_field_factors() -> list[drivers.Factor]:
    found = []
    for field in CustomField.objects.filter(active=True, type__in=KINDS).order_by("position", "pk"):
        alias = f"cf{int(field.pk)}"
        if field.type == CustomField.Type.DROPDOWN:
            level_sql, levels = f"{alias}.value", tuple(field.option_choices)
        else:
            level_sql = (f"CASE WHEN {alias}.value = 'true' THEN 'yes' "
                         f"WHEN x.ticket_id IS NOT NULL AND {_applies(field)} THEN 'no' END")
            levels = (("yes", _("yes")), ("no", _("no")))
        found.append(drivers.Factor(field.param, field.label, levels, level_sql,
                                    join_sql=_join(alias, field.pk), closed=True))
    return found


PREFIX = "field_"  # CustomField.param: every custom field factor's name starts so


def _rewrite(days: list) -> None:
    """Rewrite the custom field rows of DriverCounts of ``days`` (consecutive runs are
    one statement each) from the facts and the tickets' current values."""
    if not days:
        return
    factors = custom_field_factors()
    with transaction.atomic():
        drivers.lock_counts()
        runs, start = [], days[0]
        for previous, day in zip(days, [*days[1:], None], strict=True):
            if day is None or (day - previous).days != 1:
                runs.append((start, previous))
                start = day
        for since, until in runs:
            DriverCounts.objects.filter(day__gte=since, day__lte=until,
                                        factor__startswith=PREFIX).delete()
            drivers.write_counts(since=since, until=until, factors=factors)


def refresh_tickets(ticket_ids: list[int]) -> None:
    """Tickets' custom field values changed: rewrite the field counts of the days of their
    responses, each day once (one indexed read of their facts, then a few rows per day)."""
    days = sorted(set(ResponseFacts.objects.filter(ticket_id__in=ticket_ids)
                      .values_list("day", flat=True)))
    _rewrite(days)


def refresh_all_days() -> None:
    """A field was created, changed (options, channels, teams, active) or deleted: rewrite
    the field counts of every day the facts hold (as costly as one live grouping of all
    the facts; an administrator's rare act)."""
    with transaction.atomic():
        drivers.lock_counts()
        held = ResponseFacts.objects.order_by().values_list("day", flat=True)
        first, last = held.order_by("day").first(), held.order_by("-day").first()
        DriverCounts.objects.filter(factor__startswith=PREFIX).delete()
        if first is not None:
            drivers.write_counts(since=first, until=last, factors=custom_field_factors())


drivers.FACTOR_PROVIDERS.append(custom_field_factors)
