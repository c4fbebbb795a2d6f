"""What one email costs the intake (docs/performance.md, "Email intake"): the statements of
a new ticket's mail and of a reply, after-commit work included (assignment, rules and
the acknowledgement, webhooks, chat), and the search document the fewer statements
still write. Run on SQLite and on PostgreSQL (DATABASE_URL)."""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk import outbox
from helpdesk.models import OutboundEmail
from tickets import search
from tickets.intake import receive_raw
from tickets.models import InboundEmail, Ticket

pytestmark = pytest.mark.django_db


def _mail(sender: str, subject: str, body: str, *, reply_to: str = "") -> tuple[bytes, str]:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@example.com"
    msg["Subject"] = subject
    msg["Message-ID"] = msgid = make_msgid(domain="mail.example")
    if reply_to:
        msg["In-Reply-To"] = msg["References"] = reply_to
    msg.set_content(body)
    return msg.as_bytes(), msgid


def _receive(raw: bytes, capture) -> tuple[object, list[str]]:
    """receive_raw with its after-commit work run, and the statements both sent."""
    with CaptureQueriesContext(connection) as queries, capture(execute=True):
        result = receive_raw(raw, source=InboundEmail.Source.FILE)
    return result, [q["sql"] for q in queries.captured_queries]


def _split(statements: list[str]) -> tuple[list[str], int]:
    """(the queries, how many SAVEPOINT / RELEASE statements came with them)."""
    queries = [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    return queries, len(statements) - len(queries)


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    """The outbox rows handed to the broker. Tests run Celery eagerly, which would send
    each email inside the measured block; production hands it to a worker (as
    bench_intake does), so the hand-off is recorded here instead."""
    handed: list[int] = []
    monkeypatch.setattr(outbox, "enqueue", handed.append)
    monkeypatch.setattr(outbox, "enqueue_many", handed.extend)  # a batch's, in one task
    return handed


@pytest.fixture
def warm(team, queued, django_capture_on_commit_callbacks):
    """One mail first: the per-process copies (rules, routing, SLA policies, team
    addresses, webhook subscriptions) are loaded once per process, not per mail."""
    raw, _ = _mail("Warm Up <warm@mail.example>", "Warm-up", "First mail of the process.")
    assert _receive(raw, django_capture_on_commit_callbacks)[0].status == "created"


def test_a_new_tickets_mail_and_a_reply_cost_a_fixed_number_of_statements(
        warm, queued, django_capture_on_commit_callbacks):
    raw, msgid = _mail("Anna Virtanen <anna@org.example>", "Invoice is wrong",
                       "Hello,\n\nmy invoice is wrong.\n\nAnna")
    created, statements = _receive(raw, django_capture_on_commit_callbacks)
    assert created.status == "created"
    # The acknowledgement (a default rule, after commit) was written as before.
    ack = OutboundEmail.objects.get(kind="acknowledgement", ticket_id=created.ticket.pk)
    assert ack.to == "anna@org.example" and queued[-1] == ack.pk
    # In the transaction: the raw row, the lookups (outbox, rate), the customer and,
    # new, its organization by domain and its INSERT, the ticket (search document in
    # its INSERT), its event, SLA clocks and message, and the row's outcome: 10. After
    # commit: the assignment check, the rules' ticket and message and the
    # acknowledgement: 4 (the webhook subscriptions are a per-process copy). Before
    # (issue 18) the same mail took 22 on SQLite, 23 on PostgreSQL: the routing tables,
    # a search UPDATE, the first-message and automatic-reply questions of rules and
    # webhooks, the chat's, and the webhook subscriptions.
    queries, savepoints = _split(statements)
    assert len(queries) == 14, "\n".join(queries)
    # The receive, its processing, the new customer and the notify action (here inside
    # the test's transaction, so the outer one is a savepoint too): open_ticket takes
    # none of its own inside the mail's (tickets.services.tickets.unit), 10 before.
    assert savepoints == 8

    reply, _ = _mail("Anna Virtanen <anna@org.example>", "Re: Invoice is wrong",
                     "Here is the invoice number.", reply_to=msgid)
    added, statements = _receive(reply, django_capture_on_commit_callbacks)
    assert added.status == "added" and added.ticket.pk == created.ticket.pk
    # In the transaction: the raw row, the lookups, the thread, the customer, the locked
    # ticket, the message, the SLA clocks, the ticket's one UPDATE (its fields and search
    # document) and the outcome: 9. After commit: the rules' ticket and message and the
    # customer-reply email to the team (with the message's customer): 4; the rules no
    # longer ask whether it is the ticket's first message (add_customer_message says it
    # is not). Before: 18 on SQLite, 19 on PostgreSQL (a second UPDATE of the ticket,
    # the automatic-reply question, the live-chat check of an email ticket, the webhook
    # subscriptions).
    queries, savepoints = _split(statements)
    assert len(queries) == 13, "\n".join(queries)
    assert savepoints == 6  # 8 before add_customer_message took none inside the mail's


@pytest.mark.skipif(not search.is_postgres(), reason="the search document is PostgreSQL's")
def test_the_search_document_is_the_one_refresh_writes(
        warm, django_capture_on_commit_callbacks):
    raw, msgid = _mail("Jörg Müller <jorg@org.example>", "Laskussa on virhe",
                       "Tilausnumero 4711 puuttuu laskulta.")
    ticket = _receive(raw, django_capture_on_commit_callbacks)[0].ticket

    def document() -> str:
        return Ticket.objects.values_list("search_vector", flat=True).get(pk=ticket.pk)

    written = document()
    assert "4711" in written and "virhe" in written and "jorg" in written
    search.refresh([ticket.pk])
    assert document() == written

    reply, _ = _mail("Jörg Müller <jorg@org.example>", "Re: Laskussa on virhe",
                     "Lisätietoa: virhekoodi E42.", reply_to=msgid)
    assert _receive(reply, django_capture_on_commit_callbacks)[0].status == "added"
    written = document()
    assert "e42" in written.lower() and "4711" in written
    search.refresh([ticket.pk])
    assert document() == written


@pytest.mark.skipif(not search.is_postgres(), reason="the plan is PostgreSQL's")
def test_the_senders_customer_is_found_by_index_not_by_scanning_every_customer():
    from tickets.models import Customer
    from tickets.services.customers import get_or_create_customer

    Customer.objects.bulk_create(Customer(email=f"Person{k}@Org{k % 7}.example")
                                 for k in range(2000))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_customer")  # as the migration does
    with CaptureQueriesContext(connection) as queries:
        found = get_or_create_customer(email="person42@org0.example")
    assert found.email == "Person42@Org0.example"
    lookup = queries.captured_queries[0]["sql"]
    assert "UPPER" in lookup, lookup  # email__iexact, as PostgreSQL compares it
    # The lookup is a prepared read (its log shows the SQL apart from its value): explain
    # the queryset it is built from.
    plan = Customer.objects.filter(email__iexact="person42@org0.example").explain()
    assert "customer_email_upper_idx" in plan, plan
