"""check_sla: breaches flagged and warnings sent, each exactly once, to the right person."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from helpdesk.models import OutboundEmail
from tickets import services
from tickets.models import TicketSLA
from tickets.services.sla import check_sla, clear_calendar_cache, describe_due, due_label
from tickets.services.sla.checks import CLOCKS, _claim
from tickets.tasks import check_sla as check_sla_task

HELSINKI = ZoneInfo("Europe/Helsinki")
CREATED = datetime(2026, 11, 23, 9, tzinfo=HELSINKI)  # Monday; normal: first response due 13:00


def at(hh, mm=0, day=23):
    return datetime(2026, 11, day, hh, mm, tzinfo=HELSINKI)


@pytest.fixture
def assigned(customer, team, agent):
    return services.create_ticket(services.NewTicket(
        subject="Help", body="Please", customer=customer, team=team, assignee=agent
    ), now=CREATED)


def sla_emails(kind=None):
    emails = OutboundEmail.objects.filter(kind__startswith="sla_")
    return emails.filter(kind=kind) if kind else emails


def test_nothing_is_sent_before_the_warn_time(assigned):
    check_sla(now=at(11, 59))
    assert not sla_emails().exists()


def test_warning_is_sent_once_at_75_percent(assigned, agent):
    check_sla(now=at(12))
    check_sla(now=at(12, 30))
    email = sla_emails().get()
    assert (email.kind, email.to, email.ticket_id) == ("sla_warning", agent.email, assigned.pk)
    assert "first response" in email.subject
    assert email.related_key == "sla:first_response:warning"
    assert email.body_html.startswith("<!DOCTYPE html>")


def test_breach_is_flagged_and_sent_once(assigned, agent):
    check_sla(now=at(12))
    check_sla(now=at(13, 1))
    check_sla(now=at(13, 5))
    assert TicketSLA.objects.get(ticket=assigned).first_response_breached
    assert sla_emails("sla_breach").get().to == agent.email
    assert sla_emails("sla_warning").count() == 1


def test_a_late_run_sends_the_breach_but_no_stale_warning(assigned):
    check_sla(now=at(15))
    assert list(sla_emails().values_list("kind", flat=True)) == ["sla_breach"]


def test_the_due_time_is_in_business_hours_so_the_evening_is_not_a_breach(assigned):
    services.reply_to_ticket(ticket=assigned, agent=assigned.assignee, body="Hi", now=at(9, 30))
    check_sla(now=at(20, 0, day=25))  # resolution is due Thu 9:00
    assert not TicketSLA.objects.get(ticket=assigned).resolution_breached


def test_a_paused_ticket_is_not_checked(assigned, agent):
    services.change_status(ticket=assigned, status="pending", actor=agent, now=at(9, 30))
    check_sla(now=at(15, day=27))
    assert not sla_emails().exists()


def test_a_solved_ticket_is_not_checked(assigned, agent):
    services.solve_ticket(ticket=assigned, actor=agent, now=at(9, 30))
    check_sla(now=at(15, day=27))
    assert not sla_emails().exists()


def test_without_assignee_the_team_lead_is_told(customer, team, team_lead):
    services.create_ticket(services.NewTicket(
        subject="Help", body="Please", customer=customer, team=team
    ), now=CREATED)
    check_sla(now=at(12))
    assert sla_emails().get().to == team_lead.email


def test_without_assignee_or_lead_the_team_address_is_told(customer, team):
    services.create_ticket(services.NewTicket(
        subject="Help", body="Please", customer=customer, team=team
    ), now=CREATED)
    check_sla(now=at(12))
    assert sla_emails().get().to == team.email


def test_next_response_breach_is_sent_once_per_cycle(assigned, agent, customer):
    services.reply_to_ticket(ticket=assigned, agent=agent, body="Hi", now=at(9, 30))
    services.add_customer_message(ticket=assigned, customer=customer, body="?", now=at(10))
    check_sla(now=at(10, 1, day=24))  # 8 business hours after Mon 10:00 is Tue 10:00
    check_sla(now=at(10, 2, day=24))
    assert sla_emails("sla_breach").filter(related_key="sla:next_response:breach").count() == 1
    services.reply_to_ticket(ticket=assigned, agent=agent, body="Sorry", now=at(11, day=24))
    services.add_customer_message(ticket=assigned, customer=customer, body="??", now=at(12, day=24))
    check_sla(now=at(13, day=25))
    assert sla_emails("sla_breach").filter(related_key="sla:next_response:breach").count() == 2


def test_a_concurrent_run_cannot_claim_what_another_claimed(assigned):
    clock = CLOCKS[0]
    assert _claim([assigned.pk], clock, "warning", at(12)) == [assigned.pk]
    assert _claim([assigned.pk], clock, "warning", at(12)) == []


def test_work_is_done_in_batches(customer, team, agent):
    for _ in range(5):
        services.create_ticket(services.NewTicket(
            subject="Help", body="Please", customer=customer, team=team, assignee=agent
        ), now=CREATED)
    counts = check_sla(now=at(12), batch_size=2)
    assert counts["first_response_warned"] == 5
    assert sla_emails().count() == 5


def test_command_reports_counts(assigned):
    out = StringIO()
    with time_machine.travel(at(13, 30), tick=False):
        call_command("check_sla", stdout=out)
    assert "first_response_breached: 1" in out.getvalue()


def test_celery_task_runs_the_check(assigned):
    with time_machine.travel(at(13, 30), tick=False):
        check_sla_task.delay()
    assert TicketSLA.objects.get(ticket=assigned).first_response_breached


def test_check_sla_queries_do_not_grow_with_tickets(customer, team, agent,
                                                    django_assert_max_num_queries):
    for _ in range(6):
        services.create_ticket(services.NewTicket(
            subject="Help", body="Please", customer=customer, team=team, assignee=agent
        ), now=CREATED)
    # 6 candidate selects, per claimed batch: savepoint, claim, tickets, leads, one insert
    # per email; the inserts are the only per-ticket work.
    with django_assert_max_num_queries(6 + 6 + 6):
        check_sla(now=at(12))


def test_due_label_counts_business_time(assigned):
    clear_calendar_cache()
    sla = TicketSLA.objects.select_related("policy").get(ticket=assigned)
    # Friday 15:00 → Monday 13:00: one hour on Friday, five on Monday.
    assert due_label(sla, "first_response", now=at(15, day=20)) == "due in 6 h 0 min"


def test_describe_due_when_overdue():
    assert describe_due(due_at=at(9), now=at(9, 30)) == "overdue 30 min"


def test_describe_due_without_due_time_is_empty():
    assert describe_due(due_at=None) == ""



def test_a_run_claims_at_most_its_limit_and_the_next_run_the_rest(customer, team, agent):
    for _ in range(3):
        services.create_ticket(services.NewTicket(
            subject="Help", body="Please", customer=customer, team=team, assignee=agent
        ), now=CREATED)
    assert check_sla(now=at(13, 30), limit=2)["first_response_breached"] == 2
    assert check_sla(now=at(13, 31), limit=2)["first_response_breached"] == 1
