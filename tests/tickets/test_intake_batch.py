"""The email intake in batches (receive_batch, docs/performance.md "Email intake"): one
transaction for many mails, each mail quarantined alone, replies and duplicates inside a
batch as one by one, nothing half-written by a crash, and the same outcomes as receive_raw."""

from email.utils import make_msgid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk import outbox
from tickets import intake
from tickets.intake import receive as receive_module
from tickets.management.commands.bench_intake import Generator
from tickets.models import Customer, InboundEmail, Message, Ticket

from .test_intake import make_email

pytestmark = pytest.mark.django_db
FILE = InboundEmail.Source.FILE


def batch(raws: list[bytes]) -> list[intake.IntakeResult]:
    return intake.receive_batch(raws, source=FILE)


@pytest.fixture
def queued(monkeypatch) -> list[int]:
    handed: list[int] = []
    monkeypatch.setattr(outbox, "enqueue", handed.append)
    monkeypatch.setattr(outbox, "enqueue_many", handed.extend)  # a batch's, in one task
    return handed


def test_a_failing_mail_in_the_middle_is_quarantined_and_the_others_are_committed(
        team, monkeypatch, django_capture_on_commit_callbacks):
    real = receive_module.open_ticket

    def open_ticket(new, **kwargs):
        if new.subject == "Boom":
            real(new, **kwargs)  # its rows are written, then rolled back with its SAVEPOINT
            raise RuntimeError("the middle mail breaks")
        return real(new, **kwargs)

    monkeypatch.setattr(receive_module, "open_ticket", open_ticket)
    raws = [make_email(sender=f"P{k} <p{k}@example.com>", subject=s)
            for k, s in enumerate(["First", "Boom", "Third"])]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        results = batch(raws)
    assert [r.status for r in results] == ["created", "quarantined", "created"]
    assert "the middle mail breaks" in results[1].reason
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["First", "Third"]
    # The failing mail's customer was rolled back with it; the others' were kept.
    assert not Customer.objects.filter(email="p1@example.com").exists()
    # Read again with a SAVEPOINT per mail, the kept mails' first messages and SLA clocks
    # were written at once (none held: tickets.services.held), each raw row points at its.
    from tickets.models import TicketSLA
    for kept in (results[0], results[2]):
        assert TicketSLA.objects.filter(ticket=kept.ticket).count() == 1
        assert Message.objects.filter(ticket=kept.ticket).count() == 1
        assert InboundEmail.objects.get(pk=kept.inbound.pk).message_id == kept.message.pk
    rows = {r.subject: r for r in InboundEmail.objects.all()}
    assert rows["Boom"].status == InboundEmail.Status.QUARANTINED
    assert "RuntimeError" in rows["Boom"].error and rows["Boom"].ticket is None
    assert rows["First"].ticket_id == results[0].ticket.pk
    # The after-commit work ran for the two that were written, not for the failed one.
    assert len(callbacks) >= 2
    # The audit rows are written for the two tickets (one INSERT), none for the failed one.
    from tickets.models import TicketEvent
    assert sorted(TicketEvent.objects.filter(field="created")
                  .values_list("ticket__subject", flat=True)) == ["First", "Third"]
    monkeypatch.setattr(receive_module, "open_ticket", real)
    assert intake.retry(rows["Boom"]).status == "created"


def test_a_reply_to_a_mail_of_the_same_batch_threads_into_its_ticket(team):
    first_id = make_msgid(domain="example.com")
    raws = [
        make_email(subject="Printer on fire", msgid=first_id),
        make_email(subject="Re: Printer on fire", body="Still burning.",
                   headers={"In-Reply-To": first_id, "References": first_id}),
        make_email(sender="Someone Else <else@example.com>", subject="Other"),
    ]
    results = batch(raws)
    assert [r.status for r in results] == ["created", "added", "created"]
    assert results[1].ticket.pk == results[0].ticket.pk != results[2].ticket.pk
    assert Message.objects.filter(ticket=results[0].ticket).count() == 2
    assert Customer.objects.filter(email="customer@example.com").count() == 1


def test_a_ticket_reference_to_a_ticket_opened_earlier_in_the_batch_threads(team):
    opened = batch([make_email(subject="Opened first")])[0].ticket
    raws = [make_email(subject="Another one"),
            make_email(subject=f"[{opened.reference}] more", body="More.")]
    results = batch(raws)
    assert [r.status for r in results] == ["created", "added"]
    assert results[1].ticket.pk == opened.pk
    # A reference the batch's read did not find is asked again alone.
    late = results[0].ticket
    reply = batch([make_email(subject="Yet another"),
                   make_email(subject=f"[{late.reference}] re", body="Again.")])
    assert reply[1].status == "added" and reply[1].ticket.pk == late.pk


def test_the_same_mail_twice_in_one_batch_is_a_duplicate(team):
    raw = make_email(subject="Twice")
    results = batch([raw, make_email(subject="Other"), raw])
    assert [r.status for r in results] == ["created", "created", "duplicate"]
    assert results[2].ticket.pk == results[0].ticket.pk
    assert results[2].inbound.pk == results[0].inbound.pk  # the row written once
    assert InboundEmail.objects.count() == 2
    # And again in a later batch, against the stored row.
    again = batch([raw])
    assert again[0].status == "duplicate" and again[0].ticket.pk == results[0].ticket.pk


def test_a_crash_mid_batch_leaves_nothing_half_written_and_the_mail_is_read_again(
        team, monkeypatch):
    real = receive_module.open_ticket
    calls = []

    def crash(new, **kwargs):
        calls.append(new.subject)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process dies: no exception handler sees it
        return real(new, **kwargs)

    monkeypatch.setattr(receive_module, "open_ticket", crash)
    raws = [make_email(sender=f"C{k} <c{k}@example.com>", subject=f"Mail {k}") for k in range(3)]
    with pytest.raises(KeyboardInterrupt):
        batch(raws)
    assert not InboundEmail.objects.exists()
    assert not Ticket.objects.exists()
    assert not Customer.objects.filter(email__startswith="c").exists()
    monkeypatch.setattr(receive_module, "open_ticket", real)
    assert [r.status for r in batch(raws)] == ["created"] * 3
    assert [r.status for r in batch(raws)] == ["duplicate"] * 3
    assert Ticket.objects.count() == 3


def test_a_batch_that_fails_as_a_whole_is_read_mail_by_mail(team, monkeypatch):
    from django.db import IntegrityError

    def refuse(*args, **kwargs):
        raise IntegrityError("stored meanwhile by another process")

    monkeypatch.setattr(receive_module.InboundEmail.objects, "bulk_create", refuse)
    raws = [make_email(subject=f"Mail {k}") for k in range(3)]
    results = batch(raws)
    assert [r.status for r in results] == ["created"] * 3
    assert InboundEmail.objects.count() == 3
    assert all(r.inbound.pk for r in results)


def test_the_rate_limit_counts_the_earlier_mails_of_the_batch(team, settings):
    settings.HELPDESK_INTAKE_RATE_LIMIT = 2
    raws = [make_email(subject=f"Storm {k}") for k in range(4)]
    assert [r.status for r in batch(raws)] == ["created", "created", "skipped", "skipped"]


def test_a_new_sender_skipped_in_a_batch_leaves_no_customer(team):
    raws = [make_email(sender="Robot <robot@example.com>", subject="Out of office",
                       headers={"Auto-Submitted": "auto-replied"}),
            make_email(sender="Real <real@example.com>", subject="Help")]
    assert [r.status for r in batch(raws)] == ["skipped", "created"]
    assert not Customer.objects.filter(email="robot@example.com").exists()
    real = Customer.objects.get(email="real@example.com")
    assert real.name == "Real"


def _shape(results) -> list[tuple[str, int | None]]:
    """Each mail's outcome, and its ticket as the index of the first mail that had it."""
    first: dict[int, int] = {}
    return [(r.status, first.setdefault(r.ticket.pk, i) if r.ticket else None)
            for i, r in enumerate(results)]


def test_a_batch_has_the_outcomes_and_threads_of_the_same_mail_read_one_by_one(team, queued):
    one, two = (Generator(seed=7, run=run, customers=12) for run in ("one", "two"))
    raws_one, _ = one.round_one(60)
    raws_two, _ = two.round_one(60)
    alone = [intake.receive_raw(raw, source=FILE) for raw in raws_one]
    together = [r for start in range(0, 60, 25) for r in batch(raws_two[start:start + 25])]
    assert _shape(together) == _shape(alone)
    assert {r.status for r in together} >= {"created", "added"}


def test_a_batch_costs_a_fixed_number_of_statements_and_a_few_per_mail(
        team, queued, django_capture_on_commit_callbacks):
    """Pinned: the questions are asked once per batch, so a batch of 20 new tickets'
    mail costs less than 20 single mails by the statements they no longer ask each
    (docs/performance.md, "Email intake", third round)."""
    def run(k: int, tag: str) -> list[str]:
        # Known customers: a new sender adds no statement per mail either (one INSERT).
        raws = [make_email(sender=f"P{i} <p{i}@example.com>", subject=f"{tag} {i}")
                for i in range(k)]
        with CaptureQueriesContext(connection) as queries, \
                django_capture_on_commit_callbacks(execute=True):
            results = batch(raws)
        assert {r.status for r in results} == {"created"}
        statements = [q["sql"] for q in queries.captured_queries]
        marks = [s for s in statements if s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
        # None per mail in the transaction (a batch is first read without: see the
        # failing-mail test); the batch's own (a SAVEPOINT here, inside the test's
        # transaction), the outbox's one transaction for the batch's emails after
        # commit, the rules' notify action's after commit per mail (in production an
        # empty transaction now, which sends nothing: its email is held), and for new
        # senders the customers' INSERT's.
        assert len(marks) == (4 if tag == "warm" else 2) + 2 + 2 * k, "\n".join(marks)
        return [s for s in statements if s not in marks]

    run(20, "warm")  # the per-process copies, and the twenty customers
    ten, twenty = run(10, "ten"), run(20, "twenty")
    per_mail = (len(twenty) - len(ten)) / 10
    # Per new ticket: its ticket's INSERT, and nothing after commit: 1, against 14 for
    # a mail alone (test_intake_speed.py). 7 before the fourth round (the SLA clocks,
    # the message and each acknowledgement were an INSERT of their own, and the rules
    # read each message back); 3 before the fifth (the assignment's question of the
    # ticket's team and the rules' read of the ticket, both answered now by the
    # batch's one read of its tickets, tickets.services.written).
    assert per_mail == 1, "\n".join(twenty)
    # Once per batch: de-duplication, the outbox's Message-IDs, the senders' rate,
    # the customers, the SLA clocks', the messages', the events' and the raw rows'
    # INSERT, and after commit the tickets' one read and the acknowledgements' one
    # INSERT (a new sender adds their organizations' read and one INSERT of
    # customers; a reply, the batch's one thread read).
    assert len(ten) - 10 * per_mail == 10, "\n".join(ten)
    for table in ("helpdesk_outboundemail", "tickets_message", "tickets_ticketsla"):
        assert sum(s.startswith(f'INSERT INTO "{table}"') for s in twenty) == 1, table


def read_good_bad_fine_with_a_broken_receiver(heard: list[int]) -> list:
    """Three new tickets' mail ("Good", "Bad", "Fine") read as one batch while a
    ``ticket_created`` receiver raises for "Bad"; the others' ids go to ``heard``."""
    from tickets.signals import ticket_created

    def broken(sender, *, ticket_id, **kwargs):
        if Ticket.objects.get(pk=ticket_id).subject == "Bad":
            raise RuntimeError("a broken receiver")
        heard.append(ticket_id)

    ticket_created.connect(broken, sender=Ticket, dispatch_uid="test.broken")
    try:
        return batch([make_email(sender=f"A{k} <a{k}@example.com>", subject=s)
                      for k, s in enumerate(["Good", "Bad", "Fine"])])
    finally:
        ticket_created.disconnect(dispatch_uid="test.broken", sender=Ticket)


@pytest.mark.django_db(transaction=True)
def test_one_mails_failing_after_commit_work_does_not_stop_the_others(team):
    """The batch commits once: a receiver that raises for one mail is logged, and the
    after-commit work of the mails after it still runs (docs/rules.md)."""
    heard: list[int] = []
    results = read_good_bad_fine_with_a_broken_receiver(heard)
    assert [r.status for r in results] == ["created"] * 3
    assert heard == [results[0].ticket.pk, results[2].ticket.pk]
