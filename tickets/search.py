"""Full-text search over tickets: subject, customer and messages.

On PostgreSQL each ticket keeps a weighted tsvector (``Ticket.search_vector``,
GIN-indexed) refreshed after every change to its thread. The 'simple'
configuration is used because tickets arrive in Finnish, English and more.
On SQLite the search falls back to case-insensitive substring matching.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Message, Ticket

CONFIG = "simple"

_REFRESH_SQL = """
UPDATE tickets_ticket AS t SET search_vector =
    setweight(to_tsvector('simple', coalesce(t.subject, '')), 'A')
    || setweight(to_tsvector('simple', coalesce(c.name, '') || ' ' || coalesce(c.email, '')), 'B')
    || setweight(to_tsvector('simple', coalesce((
        SELECT string_agg(left(m.body_text, 20000), ' ')
        FROM tickets_message m WHERE m.ticket_id = t.id
    ), '')), 'C')
FROM tickets_customer c
WHERE c.id = t.customer_id AND t.id = ANY(%s)
"""


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def refresh(ticket_ids: list[int]) -> None:
    if not is_postgres() or not ticket_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(_REFRESH_SQL, [list(ticket_ids)])


# The same document for every ticket from min_id on, in one set-based statement
# (bulk loads such as seed_demo; per-ticket refresh would take hours at 1M rows).
_REFRESH_ALL_SQL = """
UPDATE tickets_ticket AS t SET search_vector =
    setweight(to_tsvector('simple', coalesce(t.subject, '')), 'A')
    || setweight(to_tsvector('simple', coalesce(c.name, '') || ' ' || coalesce(c.email, '')), 'B')
    || setweight(to_tsvector('simple', coalesce(m.body, '')), 'C')
FROM tickets_customer c, (
    SELECT ticket_id, string_agg(left(body_text, 20000), ' ' ORDER BY id) AS body
    FROM tickets_message WHERE ticket_id >= %s GROUP BY ticket_id
) m
WHERE c.id = t.customer_id AND m.ticket_id = t.id AND t.id >= %s
"""


def refresh_all(*, min_id: int = 0) -> None:
    if not is_postgres():
        return
    with connection.cursor() as cursor:
        cursor.execute(_REFRESH_ALL_SQL, [min_id, min_id])


def refresh_on_commit(ticket_id: int) -> None:
    if is_postgres():
        transaction.on_commit(lambda: refresh([ticket_id]))


def filter_tickets(queryset: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    text = text.strip()
    if not text:
        return queryset
    ticket_id = Ticket.parse_reference(text)
    if ticket_id is not None:
        return queryset.filter(pk=ticket_id)
    if is_postgres():
        query = SearchQuery(text, config=CONFIG, search_type="websearch")
        return queryset.filter(search_vector=query)
    in_messages = Message.objects.filter(ticket=OuterRef("pk"), body_text__icontains=text)
    return queryset.filter(
        Q(subject__icontains=text)
        | Q(customer__email__icontains=text)
        | Q(customer__name__icontains=text)
        | Exists(in_messages)
    )
