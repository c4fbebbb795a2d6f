"""Custom ticket fields as key-driver factors (docs/insights.md, docs/custom-fields.md).

Every active dropdown becomes a factor ``field_<key>`` whose levels are its options (labels
in the user's language); every active checkbox a factor with the levels yes / no, "no"
only where the field applies (its channels and teams, on the response's channel and team:
an unticked box is not stored, docs/custom-fields.md). Multi-selects are left out: a
ticket may hold several of their options, so a response would sit at several levels.

The values are the tickets' current ones, joined in the drivers' single grouped query:
one LEFT JOIN of tickets_ticketfieldvalue per field on its unique (ticket, field, value)
index. Only field ids are written into the SQL; a stored value that is no longer one of
the field's options has no level (``Factor.closed``). Cost: one query for the fields,
whatever their number.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tickets.models import Channel, CustomField, TicketFieldValue

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


drivers.FACTOR_PROVIDERS.append(custom_field_factors)
