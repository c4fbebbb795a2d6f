"""Two ways into the database: COPY on PostgreSQL (a million tickets in minutes) and
bulk_create elsewhere (SQLite for `make run` and the tests)."""

from __future__ import annotations

from django.db import connection
from psycopg import sql

from surveys.models import FollowUp, Invitation, Response
from tickets.models import Message, Ticket, TicketEvent, TicketSLA

from .sla import SLA_COLUMNS
from .tickets import EVENT_COLUMNS, MESSAGE_COLUMNS, Built

TAG_COLUMNS = ("ticket_id", "tag_id")


def _columns(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.attname != "search_vector"]


def _values(obj, columns: list[str]) -> list:
    # str() on choices: TextChoices members are enums, and drivers may dump enums by name.
    return [str(value) if hasattr(value, "label") else value
            for value in (getattr(obj, column) for column in columns)]


class BulkCreateSink:
    def write(self, built: Built, tags: list[tuple[int, int]], surveys) -> None:
        through = Ticket.tags.through
        Ticket.objects.bulk_create(built.tickets, batch_size=1000)
        Message.objects.bulk_create(
            [Message(**dict(zip(MESSAGE_COLUMNS, row, strict=True))) for row in built.messages],
            batch_size=1000)
        TicketEvent.objects.bulk_create(
            [TicketEvent(**dict(zip(EVENT_COLUMNS, row, strict=True))) for row in built.events],
            batch_size=1000)
        through.objects.bulk_create([through(ticket_id=t, tag_id=g) for t, g in tags],
                                    batch_size=1000)
        TicketSLA.objects.bulk_create([row.model() for row in built.slas], batch_size=1000)
        Invitation.objects.bulk_create(surveys.invitations, batch_size=1000)
        Response.objects.bulk_create(surveys.responses, batch_size=1000)
        FollowUp.objects.bulk_create(surveys.follow_ups, batch_size=1000)


class CopySink:
    """COPY into the tables; tickets go through a temporary table so that their search
    vector is computed in the same INSERT (no second write of a million rows).

    The document matches tickets.search._REFRESH_SQL: subject (A), customer name and
    email (B), the thread's text (C); a test checks they agree.
    """

    def __init__(self, *, skip_fk_checks: bool = False):
        self.ticket_columns = _columns(Ticket)
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE IF NOT EXISTS demo_ticket "
                           "(LIKE tickets_ticket INCLUDING DEFAULTS, document text)")
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            # The generator only writes ids it has just created, so on a large load the
            # per-row foreign-key triggers (a third of the time) may be skipped; that
            # needs a superuser, otherwise they run as usual.
            self.skip_fk_checks = skip_fk_checks and cursor.fetchone()[0]

    def write(self, built: Built, tags: list[tuple[int, int]], surveys) -> None:
        with connection.cursor() as cursor:
            raw = cursor.cursor
            raw.execute("SET LOCAL synchronous_commit = off")  # demo data can be regenerated
            if self.skip_fk_checks:
                raw.execute("SET LOCAL session_replication_role = replica")
            raw.execute("TRUNCATE demo_ticket")
            rows = (_values(t, self.ticket_columns) + [doc[:100_000]]
                    for t, doc in zip(built.tickets, built.documents, strict=True))
            _copy(raw, "demo_ticket", self.ticket_columns + ["document"], rows)
            raw.execute(self._insert_tickets())
            _copy(raw, "tickets_message", MESSAGE_COLUMNS, built.messages)
            _copy(raw, "tickets_ticketevent", EVENT_COLUMNS, built.events)
            _copy(raw, "tickets_ticket_tags", TAG_COLUMNS, tags)
            write_slas(raw, built.slas)
            for model, objs in ((Invitation, surveys.invitations), (Response, surveys.responses),
                                (FollowUp, surveys.follow_ups)):
                columns = _columns(model)
                if model is FollowUp:
                    columns.remove("id")
                _copy(raw, model._meta.db_table, columns, (_values(o, columns) for o in objs))

    def _insert_tickets(self) -> sql.Composed:
        columns = sql.SQL(", ").join(map(sql.Identifier, self.ticket_columns))
        selected = sql.SQL(", ").join(sql.Identifier("t", c) for c in self.ticket_columns)
        return sql.SQL("""
            INSERT INTO tickets_ticket ({columns}, search_vector)
            SELECT {selected},
                setweight(to_tsvector('simple', coalesce(t.subject, '')), 'A')
                || setweight(to_tsvector('simple', coalesce(c.name, '') || ' '
                                         || coalesce(c.email, '')), 'B')
                || setweight(to_tsvector('simple', t.document), 'C')
            FROM demo_ticket t JOIN tickets_customer c ON c.id = t.customer_id
        """).format(columns=columns, selected=selected)


def write_slas(raw_cursor, slas) -> None:
    """COPY TicketSLA rows made by demo.sla (they carry updated_at: COPY runs no auto_now)."""
    _copy(raw_cursor, TicketSLA._meta.db_table, SLA_COLUMNS, (s.values(SLA_COLUMNS) for s in slas))


def _copy(cursor, table: str, columns, rows) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def sink_for_connection(*, large: bool = False):
    if connection.vendor == "postgresql":
        return CopySink(skip_fk_checks=large)
    return BulkCreateSink()
