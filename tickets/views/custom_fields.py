"""Custom fields on the ticket page's side panel (docs/custom-fields.md)."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ..models import CustomField, Ticket
from ..services import custom_fields

Type = CustomField.Type
FILTERABLE = (Type.DROPDOWN, Type.MULTISELECT, Type.CHECKBOX)


def _input_value(field: CustomField, values: list[str]) -> str:
    """What a single-value input shows: numbers with the language's decimal mark."""
    if not values:
        return ""
    if field.type == Type.NUMBER:
        try:
            from decimal import Decimal

            return number_format(Decimal(values[0]), use_l10n=True)
        except ArithmeticError:
            return values[0]
    return values[0]


def _posted(field: CustomField, post) -> list[str]:
    """The values as typed (kept on the panel when the change is refused)."""
    if field.type == Type.MULTISELECT:
        return post.getlist(field.param)
    if field.type == Type.CHECKBOX:
        return [custom_fields.TRUE] if post.get(field.param) else []
    value = post.get(field.param, "").strip()
    return [value] if value else []


def field_rows(ticket: Ticket, *, posted=None) -> list[dict]:
    """The ticket's fields with their values: three queries whatever their number."""
    fields = custom_fields.fields_for(ticket)
    if not fields:
        return []
    stored = custom_fields.values_of(ticket.pk)
    rows = []
    for field in fields:
        values = stored.get(field.pk, [])
        if posted is not None and field.param in posted or (
                posted is not None and field.type == Type.CHECKBOX):
            values = _posted(field, posted)
            input_value = values[0] if values else ""
        else:
            input_value = _input_value(field, values)
        rows.append({"field": field, "values": values, "input": input_value,
                     "checked": values == [custom_fields.TRUE]})
    return rows


def changes_from_post(ticket: Ticket, post) -> dict:
    """``{key: value}`` of the side panel's custom field inputs."""
    changes = {}
    for field in custom_fields.fields_for(ticket):
        if field.type == Type.MULTISELECT:
            changes[field.key] = post.getlist(field.param)
        elif field.type == Type.CHECKBOX:
            changes[field.key] = bool(post.get(field.param))
        elif field.param in post:
            changes[field.key] = post[field.param]
    return changes


def _choices(field: CustomField) -> list[tuple[str, str]]:
    if field.type == Type.CHECKBOX:
        return [(custom_fields.TRUE, _("Yes")), (custom_fields.FALSE, _("No"))]
    return field.option_choices


def queue_field_context(params: QueryDict) -> dict[str, list[dict]]:
    """The queue's custom field controls, from one query of the active fields: a select
    per option and checkbox field in the filter bar, and a "set <field>" action per
    field in the bulk bar with the side panel's kind of input."""
    fields = list(CustomField.objects.filter(active=True))
    return {
        "field_filters": [{"field": f, "value": params.get(f.param, ""), "choices": _choices(f)}
                          for f in fields if f.type in FILTERABLE],
        "bulk_fields": [{"field": f, "choices": _choices(f) if f.type in FILTERABLE else []}
                        for f in fields],
    }
