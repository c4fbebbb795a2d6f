"""A batch's work around its commit, done for the batch (docs/performance.md, "Email intake",
fourth round): the acknowledgements and notifications held and written in one INSERT and
handed to the broker in one task, the new tickets' first messages and SLA clocks written
in one INSERT each, the shared versions read once, and the customers reserved in address
order even when another batch created one of them. Outcomes stay those of one by one."""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from celery.signals import task_postrun
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from helpdesk import outbox, versioned
from helpdesk.models import OutboundEmail
from helpdesk.tasks import send_outbound_email, send_outbound_emails
from tickets import intake, search, services
from tickets.models import Attachment, Customer, InboundEmail, Message, Ticket, TicketSLA
from tickets.services.customers import CustomerLookup

from .test_intake import make_email
from .test_intake_batch import read_good_bad_fine_with_a_broken_receiver

pytestmark = pytest.mark.django_db
FILE = InboundEmail.Source.FILE


def batch(raws: list[bytes]) -> list[intake.IntakeResult]:
    return intake.receive_batch(raws, source=FILE)


@pytest.fixture
def tasks_run() -> list[tuple[str, tuple]]:
    """The Celery tasks that ran (eagerly in tests), by name and arguments."""
    ran: list[tuple[str, tuple]] = []

    def heard(sender=None, args=(), **kwargs) -> None:
        ran.append((sender.name, tuple(args or ())))

    task_postrun.connect(heard, weak=False)
    yield ran
    task_postrun.disconnect(heard)


def test_a_batchs_acknowledgements_are_one_insert_one_task_and_are_sent(
        team, tasks_run, mailoutbox, django_capture_on_commit_callbacks):
    ids = [make_msgid(domain="example.com") for _ in range(3)]
    raws = [make_email(sender=f"P{k} <p{k}@example.com>", subject=f"Mail {k}", msgid=ids[k])
            for k in range(3)]
    raws.append(make_email(sender="Robot <robot@example.com>", subject="Out of office",
                           headers={"Auto-Submitted": "auto-replied"}))
    with CaptureQueriesContext(connection) as queries, \
            django_capture_on_commit_callbacks(execute=True):
        results = batch(raws)
    assert [r.status for r in results] == ["created"] * 3 + ["skipped"]
    inserts = [q["sql"] for q in queries.captured_queries
               if q["sql"].startswith('INSERT INTO "helpdesk_outboundemail"')]
    assert len(inserts) == 1
    acks = {e.to: e for e in OutboundEmail.objects.filter(kind="acknowledgement")}
    assert set(acks) == {"p0@example.com", "p1@example.com", "p2@example.com"}
    # Each answers its own mail (the rules took the message as the batch wrote it).
    for k in range(3):
        ack = acks[f"p{k}@example.com"]
        assert ack.headers["In-Reply-To"] == ids[k]
        assert ack.ticket_id == results[k].ticket.pk
        assert ack.status == OutboundEmail.Status.SENT  # the one task sent all three
    assert [name for name, _ in tasks_run] == ["helpdesk.tasks.send_outbound_emails"]
    assert sorted(tasks_run[0][1][0]) == sorted(e.pk for e in acks.values())
    assert sorted(m.to[0] for m in mailoutbox) == sorted(acks)


def test_the_list_task_sends_each_row_once_and_the_single_id_task_still_works(
        db, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False), outbox.held():
        a = outbox.queue_email(kind="test", to="a@example.com", subject="A", body_text="a")
        b = outbox.queue_email(kind="test", to="b@example.com", subject="B", body_text="b")
        assert a.pk is None and b.pk is None and a.message_id != b.message_id
    assert a.pk and b.pk  # written when the block ended
    assert send_outbound_emails.delay([a.pk, b.pk]).get() == 2
    assert send_outbound_emails.delay([a.pk, b.pk]).get() == 0  # claimed and sent already
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.com", "b@example.com"]
    # A row queued one at a time (before this change, or outside a batch) still goes alone.
    with django_capture_on_commit_callbacks(execute=False):
        c = outbox.queue_email(kind="test", to="c@example.com", subject="C", body_text="c")
    assert send_outbound_email.delay(c.pk).get() is True
    assert OutboundEmail.objects.get(pk=c.pk).status == OutboundEmail.Status.SENT


def test_a_held_block_that_raises_drops_its_rows_and_keeps_the_others(db):
    with outbox.held():
        outbox.queue_email(kind="test", to="first@example.com", subject="1", body_text="1")
        # As a rule's action is run: a held block of its own inside its transaction.
        with pytest.raises(RuntimeError), transaction.atomic(), outbox.held():
            outbox.queue_email(kind="test", to="lost@example.com", subject="2", body_text="2")
            raise RuntimeError("the action failed after queueing its email")
        # A transaction opened inside the block without one: its email is written in it
        # at once (it has an id), and rolled back with it.
        with transaction.atomic():
            kept = outbox.queue_email(kind="test", to="own@example.com", subject="4",
                                      body_text="4")
            assert kept.pk is not None
        with pytest.raises(RuntimeError), transaction.atomic():
            gone = outbox.queue_email(kind="test", to="gone@example.com", subject="5",
                                      body_text="5")
            assert gone.pk is not None
            raise RuntimeError("rolled back with its email")
        outbox.queue_email(kind="test", to="third@example.com", subject="3", body_text="3")
    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == [
        "first@example.com", "own@example.com", "third@example.com"]


def test_when_the_held_insert_fails_each_row_is_written_alone(db, caplog):
    taken = outbox.queue_email(kind="test", to="old@example.com", subject="Old", body_text="o")
    with outbox.held() as rows:
        outbox.queue_email(kind="test", to="a@example.com", subject="A", body_text="a")
        clash = outbox.queue_email(kind="test", to="b@example.com", subject="B", body_text="b")
        clash.message_id = taken.message_id  # unique: this row cannot be written
        outbox.queue_email(kind="test", to="c@example.com", subject="C", body_text="c")
        assert len(rows) == 3
    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == [
        "a@example.com", "c@example.com", "old@example.com"]
    assert "could not be written" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_every_promised_acknowledgement_is_in_the_outbox_when_the_batch_returns(team):
    """Committed for real: after a receiver fails for one mail, the acknowledgements
    of all three are rows when receive_batch returns (the caller then tells its source
    "received")."""
    from importlib import import_module

    from django.apps import apps

    from rules import engine

    # A transactional test may run after another emptied the tables: the default rules
    # back, as their migration writes them (get_or_create).
    import_module("rules.migrations.0002_default_rules").create_default_rules(apps, None)
    engine.bump_version()

    results = read_good_bad_fine_with_a_broken_receiver([])
    assert [r.status for r in results] == ["created"] * 3
    assert sorted(OutboundEmail.objects.filter(kind="acknowledgement")
                  .values_list("to", flat=True)) == ["a0@example.com", "a1@example.com",
                                                     "a2@example.com"]


def _mail_with_file(sender: str, subject: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "support@example.com", subject
    msg["Message-ID"] = make_msgid(domain="example.com")
    msg.set_content("See the file.")
    msg.add_attachment(b"a,b\n1,2\n", maintype="text", subtype="csv", filename="data.csv")
    return msg.as_bytes()


def test_held_messages_and_clocks_are_written_before_anything_reads_them(team):
    first_id = make_msgid(domain="example.com")
    raws = [
        make_email(sender="Anna <anna@example.com>", subject="Printer on fire",
                   body="Flames everywhere.", msgid=first_id),
        _mail_with_file("Bert <bert@example.com>", "A file"),
        make_email(sender="Anna <anna@example.com>", subject="Re: Printer on fire",
                   body="Still burning.", headers={"In-Reply-To": first_id}),
        make_email(sender="Cecil <cecil@example.com>", subject="Last"),
    ]
    results = batch(raws)
    assert [r.status for r in results] == ["created", "created", "added", "created"]
    fire, filed, reply, last = results
    assert reply.ticket.pk == fire.ticket.pk
    # Every new ticket has its first message and its one SLA row; the reply is its second.
    for result in (fire, filed, last):
        assert TicketSLA.objects.filter(ticket=result.ticket).count() == 1
    assert list(Message.objects.filter(ticket=fire.ticket).order_by("pk")
                .values_list("body_text", flat=True)) == ["Flames everywhere.", "Still burning."]
    # The file hangs on its message; the raw rows point at their messages.
    assert Attachment.objects.get().message_id == filed.message.pk
    for result in results:
        assert result.message.pk
        assert InboundEmail.objects.get(pk=result.inbound.pk).message_id == result.message.pk
    if search.is_postgres():  # the reply's search document holds the first message too
        vector = Ticket.objects.values_list("search_vector", flat=True).get(pk=fire.ticket.pk)
        assert "flames" in vector and "burning" in vector


def test_steady_reads_each_shared_version_once_and_sees_its_own_bump(db):
    versioned.bump("test:version")
    before = versioned.current("test:version")
    with versioned.steady():
        assert versioned.current("test:version") == before
        cache.set("test:version", "moved by another process", None)
        assert versioned.current("test:version") == before  # read once in the block
        versioned.bump("test:version")  # this process's own change is seen at once
        mine = versioned.current("test:version")
        assert mine not in (before, "moved by another process")
    cache.set("test:version", "moved again", None)
    assert versioned.current("test:version") == "moved again"  # outside: every read asks


def test_reserved_customers_created_meanwhile_are_read_and_the_rest_inserted(db):
    """Another batch created one of the batch's new senders after it looked them up:
    that customer is read, the others are still reserved in one INSERT (mail by mail,
    in the mails' order, deadlocked with the other batch's INSERT in address order)."""
    lookup = CustomerLookup(["a@example.com", "b@example.com", "c@example.com"])
    assert set(lookup.customers.values()) == {None}
    other = Customer.objects.create(email="B@example.com", name="Made elsewhere")
    lookup.reserve({key: (key.lower(), "", "en") for key in lookup.customers})
    assert lookup.customers["B@EXAMPLE.COM"].pk == other.pk
    assert not lookup.is_unclaimed("b@example.com")
    assert lookup.is_unclaimed("a@example.com") and lookup.is_unclaimed("c@example.com")
    assert Customer.objects.filter(email__in=["a@example.com", "c@example.com"]).count() == 2
    assert lookup.get_or_create(email="b@example.com").pk == other.pk


def test_a_held_tickets_clocks_and_first_message_are_written_when_read(team):
    """Inside held_rows(), reading a new ticket's clocks (a reply's SLA hook) or adding
    to its thread (its search document is built from its messages) writes the held rows
    first: nothing in the transaction sees a ticket without them."""
    from tickets.services import NewTicket, add_customer_message, open_ticket
    from tickets.services.held import held_rows, holds, write_held
    from tickets.services.sla.clocks import Clocks

    customer = Customer.objects.create(email="held@example.com")
    with transaction.atomic(), held_rows():
        ticket, first = open_ticket(NewTicket(subject="Held", body="First words.",
                                              customer=customer, channel="email"))
        assert first.pk is None and holds(Message, ticket.pk) and holds(TicketSLA, ticket.pk)
        assert Clocks.load(ticket) is not None  # written for the read
        assert not holds(TicketSLA) and TicketSLA.objects.filter(ticket=ticket).exists()
        second = add_customer_message(ticket=ticket, customer=customer, body="More words.")
        assert first.pk and second.pk > first.pk and not holds(Message)
        write_held()
    assert list(Message.objects.filter(ticket=ticket).order_by("pk")
                .values_list("body_text", flat=True)) == ["First words.", "More words."]


def test_warming_up_before_the_pool_forks_writes_nothing_and_never_raises(team, tasks_run):
    from helpdesk.celery import app
    from tickets.intake.parallel import warm_up

    with CaptureQueriesContext(connection) as queries:
        warm_up(make_email(subject="Warm"))
        warm_up(b"\x00 not a mail at all")
    written = [q["sql"] for q in queries.captured_queries
               if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert written == []
    assert not InboundEmail.objects.exists() and not Ticket.objects.exists()
    # The broker's side is built (outbox.warm_up), and no task was handed to it.
    assert app.finalized and tasks_run == []


@pytest.mark.skipif(not search.is_postgres(), reason="forked workers need a server database")
@pytest.mark.django_db(transaction=True)
# The test process runs threads of its own: Python 3.12 warns on fork.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_two_warmed_workers_read_whole_threads_in_order(team):
    from tickets.intake.parallel import receive_many

    first = [make_msgid(domain="example.com") for _ in range(3)]
    raws = [make_email(sender=f"T{k} <t{k}@example.com>", subject=f"Thread {k}", msgid=first[k])
            for k in range(3)]
    raws += [make_email(sender=f"T{k} <t{k}@example.com>", subject=f"Re: Thread {k}",
                        body="More.", headers={"In-Reply-To": first[k]}) for k in range(3)]
    stats = receive_many(raws, source=FILE, jobs=2, measure_db=True)
    assert [o.status for o in stats.outcomes] == ["created"] * 3 + ["added"] * 3
    assert stats.cpu_seconds > 0 and stats.queries > 0
    for k in range(3):
        ticket = Ticket.objects.get(subject=f"Thread {k}")
        assert list(ticket.messages.order_by("pk").values_list("body_text", flat=True)) == [
            "It is on fire.", "More."]


def test_many_emails_go_to_the_workers_in_tasks_of_ten(db, tasks_run, mailoutbox,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), outbox.held():
        for k in range(23):
            outbox.queue_email(to=f"c{k}@example.com", subject=f"Ack {k}", body_text="Thanks",
                               kind="acknowledgement")
    sizes = [len(args[0]) for name, args in tasks_run if name.endswith("send_outbound_emails")]
    assert sizes == [10, 10, 3]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(f"c{k}@example.com" for k in range(23))
    assert not OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).exists()


def test_a_batchs_tickets_are_read_once_and_the_rules_see_the_assignment(
        team, tasks_run, django_capture_on_commit_callbacks):
    """The batch's tickets are one read after commit (tickets.services.written), which
    answers the assignment's question of each team's mode and the rules' first read of
    each ticket. The assignment changes the ticket: the rules then read it again and
    see the assignee (from the stale copy, "email the assignee" would fail)."""
    from rules.services import create_rule
    from tests.factories import UserFactory
    from tickets.models import Team, TicketEvent

    crew = [UserFactory(email=f"crew{k}@helpdesk.test", teams=[team]) for k in range(2)]
    team.assignment = Team.Assignment.ROUND_ROBIN
    team.save(update_fields=["assignment"])
    create_rule(name="Tell the assignee", kind="trigger", events=["ticket.created"],
                conditions={"all": [], "any": []},
                actions=[{"type": "email_assignee",
                          "value": {"subject": "Yours: {{ticket.reference}}", "body": "New"}}])
    raws = [make_email(sender=f"P{k} <p{k}@example.com>", subject=f"Mail {k}") for k in range(3)]
    with CaptureQueriesContext(connection) as queries, \
            django_capture_on_commit_callbacks(execute=True):
        results = batch(raws)
    tickets = Ticket.objects.filter(pk__in=[r.ticket.pk for r in results]).order_by("pk")
    assert [t.assignee_id for t in tickets] == [crew[0].pk, crew[1].pk, crew[0].pk]
    emails = {e.ticket_id: e.to for e in OutboundEmail.objects.filter(kind="rule")}
    assert emails == {t.pk: t.assignee.email for t in tickets}
    assert not TicketEvent.objects.filter(field="rule_failed").exists()
    statements = [q["sql"] for q in queries.captured_queries]
    # The batch's one read of its three tickets; the assignment's own question of each
    # ticket's team is never asked (the rules' later reads, after the assignment changed
    # each ticket, are the database's).
    batch_reads = [s for s in statements if s.startswith('SELECT "tickets_ticket"."id"')
                   and '"tickets_ticket"."id" IN (' in s]
    assert len(batch_reads) == 1, "\n".join(batch_reads)
    assert not [s for s in statements
                if s.startswith('SELECT "tickets_ticket"."team_id", "tickets_team"."assignment"')]


def test_a_committed_tickets_copy_answers_one_read_and_none_after_forget(team, customer):
    from tickets.services import written

    a, b = (services.create_ticket(services.NewTicket(subject=s, body="x", customer=customer))
            for s in ("A", "B"))
    with CaptureQueriesContext(connection) as queries, written.tickets_committed([a.pk, b.pk]):
        assert written.committed_team_assignment(a.pk) == (team.pk, team.assignment)
        first = written.committed_ticket(a.pk)
        assert first.subject == "A" and first.customer.email == customer.email
        assert written.committed_ticket(a.pk) is None  # taken: the next read asks
        written.forget_ticket(b.pk)
        assert written.committed_ticket(b.pk) is None
        assert written.committed_team_assignment(b.pk) is None
    assert len(queries.captured_queries) == 1  # the one read, relations included
    assert written.committed_ticket(a.pk) is None  # outside the block
