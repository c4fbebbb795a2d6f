"""Custom fields on the ticket page's side panel (docs/custom-fields.md)."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ..models import CustomField, Ticket
from ..services import custom_fields

Type = CustomField.Type


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


def queue_field_filters(params) -> list[dict]:
    """Selects for the queue's filter bar: option and checkbox fields (one query)."""
    fields = CustomField.objects.filter(active=True, type__in=[
        Type.DROPDOWN, Type.MULTISELECT, Type.CHECKBOX])
    return [{"field": f, "value": params.get(f.param, ""),
             "choices": f.option_choices if f.type != Type.CHECKBOX else [
                 (custom_fields.TRUE, _("Yes")), (custom_fields.FALSE, _("No"))]}
            for f in fields]
