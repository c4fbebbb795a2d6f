"""Filtering tickets by custom field values: ``field_<key>=value`` in the queue's query
string, saved filters and the API (docs/custom-fields.md).

Each filter is ``pk IN (SELECT ticket_id FROM tickets_ticketfieldvalue WHERE field_id = …
AND value = …)``, answered by the ``(field, value, ticket)`` index.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import CustomField, Ticket, TicketFieldValue
from .services.custom_fields import FALSE, TRUE, clean_filter_value

PREFIX = "field_"


def field_params(params) -> dict[str, str]:
    """The ``field_<key>`` parameters that carry a value."""
    return {name: params.get(name) for name in params
            if name.startswith(PREFIX) and params.get(name) not in (None, "")}


def parse_field_filters(params) -> list[tuple[CustomField, list[str]]]:
    """``(field, wanted values)`` per parameter; ValidationError naming each bad one.

    A multi-select (or a dropdown given several options separated by commas) matches
    tickets holding any of the values."""
    wanted = field_params(params)
    if not wanted:
        return []
    fields = {f.key: f for f in CustomField.objects.filter(
        key__in=[name[len(PREFIX):] for name in wanted], active=True)}
    out, errors = [], {}
    for name, raw in wanted.items():
        field = fields.get(name[len(PREFIX):])
        if field is None:
            errors[name] = _("Unknown custom field.")
            continue
        try:
            values = clean_filter_value(field, raw)
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        out.append((field, values))
    if errors:
        raise ValidationError(errors, code="invalid")
    return out


def apply_field_filters(tickets: QuerySet[Ticket], filters) -> QuerySet[Ticket]:
    for field, values in filters:
        if values == [FALSE]:  # an unticked box has no row
            tickets = tickets.exclude(pk__in=TicketFieldValue.objects.filter(
                field_id=field.pk, value=TRUE).values("ticket_id"))
            continue
        matching = TicketFieldValue.objects.filter(field_id=field.pk)
        matching = matching.filter(value=values[0]) if len(values) == 1 else matching.filter(
            value__in=values)
        tickets = tickets.filter(pk__in=matching.values("ticket_id"))
    return tickets


def filter_by_fields(tickets: QuerySet[Ticket], params, *, strict: bool) -> QuerySet[Ticket]:
    """Apply every ``field_<key>`` parameter. Not ``strict`` (the queue), a malformed
    one is ignored like the list's other filters; strict (the API), it is a 400."""
    try:
        filters = parse_field_filters(params)
    except ValidationError:
        if strict:
            raise
        filters = _good_filters(params)
    return apply_field_filters(tickets, filters)


def _good_filters(params):
    good = []
    for name, raw in field_params(params).items():
        try:
            good += parse_field_filters({name: raw})
        except ValidationError:
            continue
    return good


#: The queue counts tickets of a custom field filter up to this many ("more than 1000").
QUEUE_COUNT_BOUND = 1000


def bounded_paginator(tickets: QuerySet[Ticket], per_page: int, page):
    """The queue's paginator for lists filtered by custom fields: an exact count up to a
    bound (``helpdesk.pagination``). Counting every ticket of a common value of a million
    reads every ticket id (a hash join over the primary key); counting to a thousand
    reads at most a thousand ÷ the value's share of them. Pages past the bound stay
    reachable."""
    from helpdesk.pagination import BoundedCountPaginator

    number = int(page) if str(page or "").isdigit() and len(str(page)) < 9 else 1
    return BoundedCountPaginator(tickets, per_page,
                                 bound=max(QUEUE_COUNT_BOUND, number * per_page))
