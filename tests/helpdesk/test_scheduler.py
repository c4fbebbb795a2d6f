"""The in-process scheduler of `make run` (run_demo): beat's schedule, run without a broker."""

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from helpdesk.celery import app
from helpdesk.models import OutboundEmail
from helpdesk.scheduler import DEMO_INTERVALS, Scheduler
from surveys.models import Invitation, SurveyProgram
from tickets import services


def test_it_runs_every_entry_of_the_beat_schedule(db):
    # db: importing the task modules runs celery's model checks, and a JSONField's check
    # asks the database connection what it supports.
    scheduler = Scheduler()
    assert [job.name for job in scheduler.jobs] == list(app.conf.beat_schedule)
    app.loader.import_default_modules()
    for job in scheduler.jobs:  # every entry names a task that exists
        assert job.task in app.tasks, job.task


# Five seconds into a minute on a Tuesday: beat's crontabs are due at clock boundaries.
TUESDAY = datetime(2026, 3, 3, 10, 0, 5, tzinfo=ZoneInfo("Europe/Helsinki"))


def test_nothing_is_due_at_start_and_each_job_runs_at_its_interval(db):
    with time_machine.travel(TUESDAY, tick=False) as clock:
        scheduler = Scheduler(tick=1)
        assert scheduler.run_pending() == []
        clock.shift(timedelta(seconds=25))
        assert scheduler.run_pending() == ["send-due-surveys"]  # the demo's 20 s
        clock.shift(timedelta(minutes=1))
        assert scheduler.run_pending() == [
            "sweep-outbox", "send-due-surveys", "check-sla", "poll-mailbox",
            "sweep-webhook-deliveries", "chat-sweep"]  # every minute
        assert scheduler.run_pending() == []  # ran once, not again until due
        clock.shift(timedelta(minutes=14))  # 10:15:30: the five-minute automations too
        assert "run-automations" in scheduler.run_pending()
        clock.move_to(datetime(2026, 3, 9, 7, 0, 30, tzinfo=ZoneInfo("Europe/Helsinki")))
        assert "metrics-weekly-digest" in scheduler.run_pending()  # Monday 07:00


def test_a_closed_tickets_survey_arrives_after_the_programs_delay(
        db, customer, agent, django_capture_on_commit_callbacks):
    """The demo's main loop: close a ticket, and the scheduler sends the survey email."""
    SurveyProgram.objects.update(delay_minutes=2)
    ticket = services.create_ticket(services.NewTicket(
        subject="Order late", body="Where is it?", customer=customer, channel="web"
    ))
    with time_machine.travel(timezone.now(), tick=False) as clock:
        scheduler = Scheduler()
        with django_capture_on_commit_callbacks(execute=True):
            services.solve_ticket(ticket=ticket, actor=agent)
        with django_capture_on_commit_callbacks(execute=True):
            services.close_ticket(ticket=ticket, actor=agent)
        assert Invitation.objects.get(ticket=ticket).status == Invitation.Status.SCHEDULED
        clock.shift(timedelta(minutes=1))
        scheduler.run_pending()
        assert not OutboundEmail.objects.filter(kind="survey_invitation").exists()
        clock.shift(timedelta(minutes=1, seconds=30))
        with django_capture_on_commit_callbacks(execute=True):
            assert "send-due-surveys" in scheduler.run_pending()
    email = OutboundEmail.objects.get(kind="survey_invitation")
    assert email.to == customer.email and ticket.reference in email.body_text


def test_a_failing_job_is_logged_and_the_others_still_run(db, caplog, monkeypatch):
    import logging

    # Celery's task machinery reconfigures logging; listen on the scheduler's logger itself.
    monkeypatch.setattr(logging.getLogger("helpdesk.scheduler"), "handlers", [caplog.handler])
    scheduler = Scheduler(beat_schedule={
        "broken": {"task": "no.such.task", "schedule": 1},
        "sweep": {"task": "helpdesk.tasks.sweep_outbox", "schedule": 1}}, intervals={})
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        assert scheduler.run_pending() == ["broken", "sweep"]
    assert "scheduled job broken failed" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_the_thread_sends_queued_email_on_its_own(mailoutbox, settings):
    """Started as run_demo starts it: a background thread, its own connection."""
    from helpdesk.outbox import queue_email

    queue_email(kind="test", to="someone@example.com", subject="Hello", body_text="Hi")
    # As if the broker had been down when it was queued: left for the sweep to send.
    OutboundEmail.objects.update(sent_at=None, status=OutboundEmail.Status.QUEUED,
                       created_at=timezone.now() - timedelta(hours=1))
    mailoutbox.clear()
    scheduler = Scheduler(beat_schedule={
        "sweep-outbox": {"task": "helpdesk.tasks.sweep_outbox", "schedule": 0.2}},
        intervals={}, tick=0.05)
    scheduler.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not OutboundEmail.objects.filter(
                sent_at__isnull=False).exists():
            time.sleep(0.05)
    finally:
        scheduler.stop()
    assert OutboundEmail.objects.get().sent_at is not None
    assert [m.subject for m in mailoutbox] == ["Hello"]


def test_run_demo_starts_the_scheduler_then_serves(monkeypatch, settings):
    from daphne.management.commands import runserver  # HTTP and websockets (live chat)

    settings.DEBUG = True
    calls = []
    monkeypatch.setattr(Scheduler, "start", lambda self: calls.append("scheduler"))
    monkeypatch.setattr(runserver.Command, "inner_run",
                        lambda self, *args, **options: calls.append("serve"))
    call_command("run_demo", "127.0.0.1:0", "--noreload", "--skip-checks")
    assert calls == ["scheduler", "serve"]
    calls.clear()
    call_command("run_demo", "127.0.0.1:0", "--noreload", "--skip-checks", "--no-scheduler")
    assert calls == ["serve"]


def test_the_demo_checks_for_due_surveys_often():
    assert DEMO_INTERVALS["send-due-surveys"] <= timedelta(seconds=30)


@pytest.mark.parametrize(("result", "spoke"), [
    (0, False), ((0, 0), False), ({"a": 0, "b": 0}, False), (None, False),
    (3, True), ((0, 1), True), ({"a": 0, "b": 2}, True), ("2026-06-01..2026-06-02", True)])
def test_only_jobs_that_did_something_are_logged_at_info(result, spoke):
    from helpdesk.scheduler import did_something

    assert did_something(result) is spoke
