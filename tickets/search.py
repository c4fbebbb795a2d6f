"""Full-text search over tickets: subject, customer and messages; tags and ticket numbers.

On PostgreSQL each ticket keeps a weighted tsvector (``Ticket.search_vector``,
GIN-indexed) refreshed after every change to its thread. The 'simple'
configuration is used because tickets arrive in Finnish, English and more.
On SQLite the search falls back to case-insensitive substring matching.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from helpdesk.prepared import planned_once

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


# The document of _REFRESH_SQL as the value of an UPDATE of tickets_ticket (its columns
# are the row's old values; the new message is already in the thread).
_ROW_VECTOR_SQL = """
    setweight(to_tsvector('simple', coalesce("tickets_ticket"."subject", '')), 'A')
    || setweight(to_tsvector('simple', (
        SELECT coalesce(c.name, '') || ' ' || coalesce(c.email, '')
        FROM tickets_customer c WHERE c.id = "tickets_ticket"."customer_id"
    )), 'B')
    || setweight(to_tsvector('simple', coalesce((
        SELECT string_agg(left(m.body_text, 20000), ' ')
        FROM tickets_message m WHERE m.ticket_id = "tickets_ticket"."id"
    ), '')), 'C')
"""

# The same document for a new ticket whose thread is the one message it opens with,
# from the values in hand: the INSERT writes it, instead of an UPDATE of the fresh row.
_NEW_VECTOR_SQL = """
    setweight(to_tsvector('simple', coalesce(%s::text, '')), 'A')
    || setweight(to_tsvector('simple', (
        SELECT coalesce(c.name, '') || ' ' || coalesce(c.email, '')
        FROM tickets_customer c WHERE c.id = %s
    )), 'B')
    || setweight(to_tsvector('simple', coalesce(left(%s::text, 20000), '')), 'C')
"""


def new_ticket_vector(*, subject: str, customer_id: int, body: str) -> RawSQL | None:
    """The search document of a ticket opened with one message, as a value for
    ``Ticket.objects.create(search_vector=...)``; None off PostgreSQL. It equals what
    ``refresh`` writes once the message is stored (tests/tickets/test_intake_speed.py)."""
    if not is_postgres():
        return None
    # A constant statement; the values are bound parameters.
    return RawSQL(_NEW_VECTOR_SQL, (subject, customer_id, body),  # noqa: S611
                  output_field=SearchVectorField())


def save_refreshed(ticket: Ticket, fields: Sequence[str]) -> None:
    """``ticket.save(update_fields=fields)`` and ``refresh([ticket.pk])`` as one UPDATE
    (a second UPDATE of the row in the same transaction writes it, and its indexes,
    twice). ``fields`` must not hold the subject or the customer: the document is built
    from the row's values before the update. Afterwards ``search_vector`` is deferred."""
    if not is_postgres():
        ticket.save(update_fields=list(fields))
        return
    if {"subject", "customer", "customer_id"} & set(fields):
        raise ValueError("save_refreshed cannot change the subject or the customer")
    ticket.search_vector = RawSQL(_ROW_VECTOR_SQL, (),  # noqa: S611 (a constant statement)
                                  output_field=SearchVectorField())
    try:
        with planned_once():  # the same few UPDATEs for every reply
            ticket.save(update_fields=[*fields, "search_vector"])
    finally:
        ticket.__dict__.pop("search_vector", None)


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


def ticket_id_in(text: str) -> int | None:
    """The ticket a search names on its own: "HD-1897" (the reference, any case),
    "#1897" or "1897"; None for anything else."""
    text = text.strip()
    ticket_id = Ticket.parse_reference(text)
    if ticket_id is None and text.lstrip("#").isdigit():
        ticket_id = int(text.lstrip("#"))
    # Beyond a bigint no ticket exists (and the database would refuse the number).
    return ticket_id if ticket_id is not None and 0 < ticket_id < 2**63 else None


def _tag_name(text: str) -> str:
    """The tag a search may name: "billing", "#billing" or "tag:billing"."""
    text = text.strip().lower()
    return text.removeprefix("tag:").lstrip("#").strip()[:50]


def filter_tickets(queryset: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """Tickets matching a search box's text.

    A reference ("HD-1897") finds that ticket alone. A number ("1897", "#1897")
    finds that ticket and any ticket whose text has the number. A tag's name
    ("billing", "#billing", "tag:billing") finds the tickets tagged with it, beside
    the text matches. Text matches subject, customer name and email and messages.
    """
    text = text.strip()
    if not text:
        return queryset
    reference = Ticket.parse_reference(text)
    if reference is not None:
        return queryset.filter(pk=reference)
    if is_postgres():
        query = SearchQuery(text, config=CONFIG, search_type="websearch")
        matches = Q(search_vector=query)
    else:
        in_messages = Message.objects.filter(ticket=OuterRef("pk"), body_text__icontains=text)
        matches = (Q(subject__icontains=text) | Q(customer__email__icontains=text)
                   | Q(customer__name__icontains=text) | Exists(in_messages))
    tag = _tag_name(text)
    if tag:
        tagged = Ticket.tags.through.objects.filter(ticket_id=OuterRef("pk"), tag__name=tag)
        matches |= Exists(tagged)
    ticket_id = ticket_id_in(text)
    if ticket_id is not None:
        matches |= Q(pk=ticket_id)
    return queryset.filter(matches)
