"""Saved filters (an agent's named queues) and the counts shown beside them.

A saved filter is the ticket list's query string, so its tickets are exactly the
ones the list shows for it (``listed_tickets``, shared with the list view). The
counts of all of an agent's saved filters come from one query: one COUNT per
filter, joined with UNION ALL, so each part keeps its own indexes (a FILTER
clause per filter over one scan would read every visible ticket).
"""

from __future__ import annotations

from django.db.models import Count, IntegerField, Q, QuerySet, Value
from django.http import QueryDict

from .. import search
from ..models import SavedFilter, Ticket
from . import queues

#: Saved filters counted on the queue page; any beyond are listed without a count
#: (the query stays bounded however many an agent saves).
MAX_COUNTED = 20


def listed_tickets(params, *, user, visible: QuerySet[Ticket], conditions: dict[str, Q],
                   search_page: bool = False) -> tuple[QuerySet[Ticket], str, bool]:
    """The tickets the list shows for these query parameters: (tickets, queue key, filtered)."""
    text = params.get("q", "").strip()
    filtered = queues.is_filtered(params) or bool(text)
    # A filtered link without a view (a dashboard's number) lists every matching ticket,
    # not the filtered part of "my open tickets".
    default_view = "all" if (filtered or search_page) else "mine"
    view = params.get("view") or default_view
    if view not in conditions and view != "all":
        view = default_view
    tickets = visible.filter(conditions[view]) if view in conditions else visible
    tickets = queues.apply_filters(tickets, params, user)
    return search.filter_tickets(tickets, text), view, filtered


def saved_filters(user) -> list[SavedFilter]:
    """The user's saved filters, in their order."""
    return list(SavedFilter.objects.filter(user=user))


def saved_filters_with_counts(*, user, visible: QuerySet[Ticket],
                              conditions: dict[str, Q]) -> list[SavedFilter]:
    """The user's saved filters, each with ``count`` (None past ``MAX_COUNTED``)."""
    saved = saved_filters(user)
    parts = []
    for item in saved[:MAX_COUNTED]:
        tickets, _, _ = listed_tickets(QueryDict(item.query), user=user, visible=visible,
                                       conditions=conditions)
        # The tag filter joins tags: distinct keeps a ticket counted once.
        parts.append(tickets.order_by()
                     .annotate(saved_id=Value(item.pk, output_field=IntegerField()))
                     .values("saved_id").annotate(n=Count("pk", distinct=True)))
    counts = {}
    if parts:
        rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        counts = {row["saved_id"]: row["n"] for row in rows}
    for item in saved:
        item.count = counts.get(item.pk)
    return saved
