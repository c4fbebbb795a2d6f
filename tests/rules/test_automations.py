"""Automations: time rules run by the beat task, once per ticket until the condition resets."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rules import automations, services
from rules.models import Rule, RuleFiring
from rules.tasks import run_automations
from tickets import services as ticket_services
from tickets.models import Ticket

from .conftest import default_rule, emails, history

PENDING_72 = {"field": "hours_since_pending", "op": "gt", "value": 72}
REMIND = {"type": "email_customer", "value": {
    "subject": {"en": "Still need help? {{ticket.reference}}",
                "fi": "Tarvitsetko vielä apua? {{ticket.reference}}"},
    "body": {"en": "Hello {{customer.name}}, reply to keep {{ticket.reference}} open.",
             "fi": "Hei {{customer.name}}, vastaa niin {{ticket.reference}} pysyy auki."}}}


@pytest.fixture
def reminder(make_rule):
    return make_rule("Remind pending customers", kind="automation", events=[],
                     all=[PENDING_72], actions=[REMIND])


def _pending(run, ticket, agent):
    run(ticket_services.reply_to_ticket, ticket=ticket, agent=agent, body="Which printer?",
        new_status="pending")
    ticket.refresh_from_db()
    return ticket


def test_pending_reminder_fires_once_after_72_hours(run, reminder, ticket, agent, time_machine):
    _pending(run, ticket, agent)
    time_machine.move_to(timezone.now() + timedelta(hours=71))
    run(run_automations.apply)
    assert emails("rule") == []
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    run(run_automations.apply)
    (email,) = emails("rule")
    assert email.subject == f"Still need help? {ticket.reference}"
    assert ("automation", "Remind pending customers") in history(ticket)
    time_machine.move_to(timezone.now() + timedelta(hours=5))
    run(run_automations.apply)
    assert len(emails("rule")) == 1  # once per ticket


def test_reminder_fires_again_after_the_condition_resets(run, reminder, ticket, agent, customer,
                                                         time_machine):
    _pending(run, ticket, agent)
    time_machine.move_to(timezone.now() + timedelta(hours=73))
    run(run_automations.apply)
    run(ticket_services.add_customer_message, ticket=ticket, customer=customer, body="The red one")
    ticket.refresh_from_db()
    run(run_automations.apply)  # open now: the firing is forgotten
    assert not RuleFiring.objects.exists()
    _pending(run, ticket, agent)
    time_machine.move_to(timezone.now() + timedelta(hours=73))
    run(run_automations.apply)
    assert len(emails("rule")) == 2


def test_unrelated_tickets_are_not_touched(run, reminder, ticket, agent, time_machine):
    time_machine.move_to(timezone.now() + timedelta(hours=100))
    run(run_automations.apply)
    assert emails("rule") == [] and not RuleFiring.objects.exists()


def test_inactive_automation_does_not_run(run, reminder, ticket, agent, time_machine):
    services.set_rule_active(rule=reminder, active=False)
    _pending(run, ticket, agent)
    time_machine.move_to(timezone.now() + timedelta(hours=100))
    run(run_automations.apply)
    assert emails("rule") == []


def test_candidates_are_one_indexed_query(reminder, make_rule, db):
    rule = make_rule("Mixed", kind="automation", events=[], all=[
        {"field": "hours_since_updated", "op": "gt", "value": 24},
        {"field": "status", "op": "in", "value": ["open", "pending"]},
        {"field": "tags", "op": "contains", "value": "vip"},
        {"field": "priority", "op": "is_not", "value": "low"},
    ], actions=[{"type": "add_note", "value": "x"}])
    with CaptureQueriesContext(connection) as queries:
        list(automations.candidates(rule, timezone.now()).values_list("pk", flat=True))
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert '"updated_at" <=' in sql and "EXISTS" in sql


def test_business_hours_cutoff_skips_the_weekend(db):
    from tickets.businesstime import CalendarSnapshot, business_seconds_between

    office = CalendarSnapshot(time_zone="Europe/Helsinki",
                              week={d: [(_t(8), _t(16))] for d in range(5)})
    monday_9 = timezone.datetime.fromisoformat("2026-03-09T09:00:00+02:00")
    cutoff = automations.business_cutoff(office, monday_9, 2)
    # Two working hours back from Monday 09:00 is Friday 15:00.
    assert cutoff.astimezone(office.tz).strftime("%a %H:%M") == "Fri 15:00"
    assert business_seconds_between(office, cutoff, monday_9) == 7200


@pytest.mark.parametrize("hours", [0.5, 2, 7.75, 40, 100, 1000])
def test_business_hours_cutoff_holds_exactly_that_much_working_time(db, hours):
    from tickets.businesstime import CalendarSnapshot, business_us_between

    office = CalendarSnapshot(time_zone="Europe/Helsinki", holiday_country="FI",
                              week={d: [(_t(8), _t(16))] for d in range(5)})
    now = timezone.datetime.fromisoformat("2026-12-28T10:30:00+02:00")  # after Christmas
    cutoff = automations.business_cutoff(office, now, hours)
    assert business_us_between(office, cutoff, now) == round(hours * 3600 * 1_000_000)
    later = cutoff + timedelta(microseconds=2)
    assert business_us_between(office, later, now) < round(hours * 3600 * 1_000_000)


def _t(hour):
    from datetime import time

    return time(hour)


def test_automation_stores_no_firing_when_python_check_fails(run, make_rule, ticket, agent,
                                                              time_machine):
    make_rule("Body check", kind="automation", events=[], all=[
        {"field": "hours_since_created", "op": "gt", "value": 1},
        {"field": "body", "op": "contains", "value": "never said"}],
        actions=[{"type": "add_note", "value": "x"}])
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    run(run_automations.apply)
    assert not RuleFiring.objects.exists()
    assert Ticket.objects.get(pk=ticket.pk).messages.filter(public=False).count() == 0


def test_default_auto_close_rule_uses_the_setting_at_install(db, settings):
    rule = default_rule("auto_close")
    hours = {c["field"]: c["value"] for c in rule.conditions["all"] if "hours" in c["field"]}
    assert hours == {"hours_since_solved": settings.HELPDESK_AUTO_CLOSE_HOURS,
                     "hours_since_updated": settings.HELPDESK_AUTO_CLOSE_HOURS}
    assert Rule.objects.filter(kind="automation").count() == 1


def test_default_auto_close_closes_quiet_solved_tickets_once(run, ticket, agent, time_machine,
                                                             settings):
    run(ticket_services.solve_ticket, ticket=ticket, actor=agent)
    hours = settings.HELPDESK_AUTO_CLOSE_HOURS
    time_machine.move_to(timezone.now() + timedelta(hours=hours - 1))
    run(run_automations.apply)
    ticket.refresh_from_db()
    assert ticket.status == "solved"
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    run(run_automations.apply)
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    assert ("automation", "Close solved tickets after a quiet period") in history(ticket)
    assert ticket.events.filter(field="status", new_value="closed", actor=None).exists()


def test_recent_activity_keeps_a_solved_ticket_open(run, ticket, agent, time_machine, settings):
    run(ticket_services.solve_ticket, ticket=ticket, actor=agent)
    time_machine.move_to(timezone.now() + timedelta(hours=settings.HELPDESK_AUTO_CLOSE_HOURS - 2))
    ticket.refresh_from_db()
    run(ticket_services.add_internal_note, ticket=ticket, agent=agent, body="Checked again")
    time_machine.move_to(timezone.now() + timedelta(hours=3))
    run(run_automations.apply)
    ticket.refresh_from_db()
    assert ticket.status == "solved"
