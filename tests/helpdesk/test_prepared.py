"""helpdesk.prepared: a read by id whose SQL is built once returns what the queryset
returns, related objects included, and builds no SQL after its first call."""

from __future__ import annotations

import pytest
from django.db.models.sql.compiler import SQLCompiler

from helpdesk.prepared import Prepared
from tickets.models import Customer, Organization, Ticket

pytestmark = pytest.mark.django_db


def _query(pk):
    return (Ticket.objects.select_related("customer__organization", "team", "assignee")
            .defer("search_vector").filter(pk=pk))


@pytest.fixture
def tickets(ticket, customer, agent):
    customer.organization = Organization.objects.create(name="Acme", tier="gold")
    customer.save()
    Ticket.objects.filter(pk=ticket.pk).update(assignee=agent)
    return [ticket, Ticket.objects.create(subject="Other", customer=customer)]


def test_each_call_returns_the_querysets_row_with_its_relations(tickets, agent,
                                                                 django_assert_num_queries):
    prepared = Prepared(_query)
    for ticket in tickets * 2:
        expected = _query(ticket.pk).first()
        with django_assert_num_queries(1):
            got = prepared.first(ticket.pk)
            # The relations came with the row, as select_related's do.
            assert got.customer.organization.tier == "gold"
            assert got.team == expected.team and got.assignee == expected.assignee
        fields = [f.attname for f in Ticket._meta.concrete_fields if f.name != "search_vector"]
        assert [getattr(got, f) for f in fields] == [getattr(expected, f) for f in fields]
        assert "search_vector" in got.get_deferred_fields()
    assert prepared.first(tickets[1].pk).assignee is None
    assert prepared.first(tickets[0].pk).assignee == agent
    assert prepared.first(max(t.pk for t in tickets) + 1) is None


def test_the_sql_is_built_on_the_first_call_only(tickets, monkeypatch):
    built = []
    as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: built.append(1)
                        or as_sql(self, *a, **k))
    prepared = Prepared(_query)
    assert prepared.first(tickets[0].pk).pk == tickets[0].pk
    assert len(built) == 1
    assert [prepared.first(t.pk).pk for t in tickets] == [t.pk for t in tickets]
    assert len(built) == 1


def test_a_query_without_the_id_as_a_parameter_is_refused(ticket):
    with pytest.raises(ValueError):
        Prepared(lambda pk: Ticket.objects.all()).first(ticket.pk)


def test_values_list_rows_come_back_as_the_queryset_gives_them(tickets):
    pairs = Prepared(lambda pk: Ticket.objects.filter(pk=pk).values_list("team_id", "status"))
    flat = Prepared(lambda pk: Ticket.objects.filter(pk=pk).values_list("subject", flat=True))
    for ticket in tickets:
        assert pairs.first(ticket.pk) == Ticket.objects.filter(pk=ticket.pk).values_list(
            "team_id", "status").first()
        assert flat.first(ticket.pk) == ticket.subject
    assert pairs.first(-1) is None and flat.first(-1) is None


def test_a_reply_to_a_ticket_that_is_gone_still_raises_does_not_exist(customer):
    from tickets import services

    with pytest.raises(Ticket.DoesNotExist):
        services.add_customer_message(ticket=Ticket(pk=987654), customer=customer, body="Hi")


def test_a_text_value_finds_exactly_what_the_queryset_finds():
    # "_" and "%" are wildcards of LIKE, which SQLite's iexact is (with the value escaped):
    # the built SQL must never receive an address unescaped.
    for address in ("a_b@x.example", "axb@x.example", "c%d@x.example", "cxd@x.example"):
        Customer.objects.create(email=address)
    by_email = Prepared(lambda email: Customer.objects.filter(email__iexact=email), text=True)
    for asked in ("A_B@X.example", "axb@x.EXAMPLE", "C%D@x.example", "cxd@x.example",
                  "a%b@x.example", "nobody@x.example"):
        expected = Customer.objects.filter(email__iexact=asked).first()
        assert by_email.first(asked) == expected, asked
    assert by_email.first("A_B@X.example").email == "a_b@x.example"


def test_a_value_the_lookup_changes_is_run_as_the_queryset(ticket):
    # contains wraps the value in %…%: it never reaches the parameters as it is.
    by_part = Prepared(lambda part: Ticket.objects.filter(subject__contains=part), text=True)
    assert by_part.first("on fir") == ticket
    assert by_part.first("nothing like it") is None


def test_many_reads_every_row_in_the_querysets_order(ticket, agent, monkeypatch):
    from tickets import services
    from tickets.models import Message

    for i in range(3):
        services.reply_to_ticket(ticket=ticket, agent=agent, body=f"reply {i}")

    def query(pk):
        return Message.objects.filter(ticket_id=pk).select_related("author_user")

    prepared = Prepared(query, many=True)
    expected = list(query(ticket.pk))
    assert len(expected) == 4
    built = []
    as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: built.append(1)
                        or as_sql(self, *a, **k))
    for _ in range(2):
        rows = prepared.all(ticket.pk)
        assert [m.pk for m in rows] == [m.pk for m in expected]
        assert [m.author_user for m in rows] == [m.author_user for m in expected]
    assert len(built) == 1
    assert prepared.all(ticket.pk + 1000) == []
    assert prepared.first(ticket.pk).pk == expected[0].pk
    with pytest.raises(TypeError):
        Prepared(query).all(ticket.pk)


def _prepared_statements() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


_SHAPE = '"tickets_ticket"."subject", "tickets_ticket"."priority" FROM'


def _ours() -> list[str]:
    return [s for s in _prepared_statements() if _SHAPE in s]


def test_on_postgresql_the_read_is_planned_once_per_connection(tickets):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("server-side prepared statements are PostgreSQL's")
    prepared = Prepared(lambda pk: Ticket.objects.filter(pk=pk).only("subject", "priority"))
    for ticket in tickets * 3:
        assert prepared.first(ticket.pk).subject == ticket.subject
    assert len(_ours()) == 1 and "= $1" in _ours()[0]  # one statement, bound on the server
    # Django's own queries stay bound on the client: none of them is prepared.
    list(Ticket.objects.filter(pk=tickets[0].pk).only("subject", "priority"))
    assert len(_ours()) == 1


def test_with_prepared_statements_off_the_read_is_not_prepared(tickets):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("server-side prepared statements are PostgreSQL's")
    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold
    connection.connection.prepare_threshold = None  # DATABASE_PREPARED_STATEMENTS=false
    try:
        prepared = Prepared(lambda pk: Ticket.objects.filter(pk=pk).only("subject", "priority"))
        for ticket in tickets * 3:
            assert prepared.first(ticket.pk).subject == ticket.subject
        assert _ours() == []
    finally:
        connection.connection.prepare_threshold = threshold


def test_build_all_builds_every_prepared_sql_without_a_query(tickets, django_assert_num_queries,
                                                             monkeypatch):
    """A process about to fork the intake's workers builds their SQL once for all."""
    from helpdesk import prepared as module

    built = Prepared(_query)
    broken = Prepared(lambda pk: Ticket.objects.all())  # no id in its SQL: raises when built
    assert built._built is None
    with django_assert_num_queries(0):
        module.build_all()
    assert built._built is not None and broken._built is None
    calls = []
    as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: calls.append(1)
                        or as_sql(self, *a, **k))
    assert built.first(tickets[0].pk).pk == tickets[0].pk
    assert calls == []  # nothing built on the first call any more
    with pytest.raises(ValueError):
        broken.first(tickets[0].pk)


def test_writes_in_planned_once_are_one_prepared_statement_each(customer, team):
    """A new ticket's INSERT and a reply's UPDATE of its ticket (the email intake's hot
    writes) are prepared once per connection; the same writes outside the block are not."""
    from django.db import connection

    from helpdesk.prepared import planned_once
    from tickets.services import add_customer_message, create_ticket
    from tickets.services.new_ticket import NewTicket

    if connection.vendor != "postgresql":
        pytest.skip("server-side prepared statements are PostgreSQL's")

    def ours(verb: str) -> list[str]:
        return [s for s in _prepared_statements() if s.startswith(f'{verb} "tickets_ticket"')]

    tickets = [create_ticket(NewTicket(subject=f"Printer {k}", body="It jams.",
                                       customer=customer)) for k in range(3)]
    for ticket in tickets:
        add_customer_message(ticket=ticket, customer=customer, body="Still jammed.")
    assert len(ours("INSERT INTO")) == 1 and "$1" in ours("INSERT INTO")[0]
    assert len(ours("UPDATE")) == 1
    # What was written is what Django's own INSERT writes.
    row = Ticket.objects.get(pk=tickets[0].pk)
    assert (row.subject, row.customer_id, row.team_id) == ("Printer 0", customer.pk, team.pk)
    Ticket.objects.filter(pk=tickets[0].pk).update(priority="high")  # outside: not prepared
    assert len(ours("UPDATE")) == 1
    with planned_once():
        Ticket.objects.filter(pk=tickets[1].pk).update(priority="high")
    assert len(ours("UPDATE")) == 2
