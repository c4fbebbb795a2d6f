"""SLA clocks moved by the ticket services, on the default calendar and policies
(Finland, Mon–Fri 8–16 Helsinki; normal: 4 h first response, 8 h next response,
24 business hours resolution)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tickets import services
from tickets.models import BusinessCalendar, SLAPolicy, Ticket, TicketEvent, TicketSLA

HELSINKI = ZoneInfo("Europe/Helsinki")
HOUR = 3600


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=HELSINKI)


@pytest.fixture
def open_at(customer, team):
    def make(when, priority="normal"):
        return services.create_ticket(services.NewTicket(
            subject="Help", body="Please help", customer=customer, team=team, priority=priority,
        ), now=when)
    return make


def sla_of(ticket) -> TicketSLA:
    return TicketSLA.objects.get(ticket=ticket)


def test_migration_creates_the_finnish_calendar_and_a_policy_per_priority(db):
    calendar = BusinessCalendar.objects.get(is_default=True)
    assert (calendar.time_zone, calendar.holiday_country) == ("Europe/Helsinki", "FI")
    assert sorted(calendar.intervals.values_list("weekday", flat=True)) == [0, 1, 2, 3, 4]
    policies = {p.priorities[0]: p for p in SLAPolicy.objects.all()}
    assert set(policies) == set(Ticket.Priority.values)
    assert policies["normal"].first_response_minutes == 4 * 60


def test_friday_afternoon_ticket_is_due_monday_late_morning(open_at):
    ticket = open_at(at(2026, 11, 20, 15, 30))
    assert sla_of(ticket).first_response_due_at == at(2026, 11, 23, 11, 30)
    assert sla_of(ticket).policy.name == "Normal"


def test_due_time_skips_independence_day(open_at):
    ticket = open_at(at(2027, 12, 3, 15, 30))  # Monday 6 Dec 2027 is a holiday
    assert sla_of(ticket).first_response_due_at == at(2027, 12, 7, 11, 30)


def test_due_time_over_the_dst_change_is_monday_local_time(open_at):
    ticket = open_at(at(2026, 10, 23, 15, 30))  # clocks go back on Sunday 25 Oct
    due = sla_of(ticket).first_response_due_at
    assert due == at(2026, 10, 26, 11, 30)
    assert due == datetime(2026, 10, 26, 9, 30, tzinfo=UTC)


def test_warn_time_is_at_the_policy_percentage(open_at):
    ticket = open_at(at(2026, 11, 23, 9))
    assert sla_of(ticket).first_response_warn_at == at(2026, 11, 23, 12)  # 75% of 4 h


def test_first_reply_stores_business_and_calendar_seconds(open_at, agent):
    ticket = open_at(at(2026, 11, 20, 15, 30))
    services.reply_to_ticket(ticket=ticket, agent=agent, body="On it", now=at(2026, 11, 23, 9))
    sla = sla_of(ticket)
    assert sla.first_response_business_seconds == 90 * 60
    assert sla.first_response_calendar_seconds == (2 * 24 + 17) * HOUR + 30 * 60
    assert not sla.first_response_breached


def test_internal_note_does_not_stop_the_first_response_clock(open_at, agent):
    ticket = open_at(at(2026, 11, 23, 9))
    services.add_internal_note(ticket=ticket, agent=agent, body="hmm", now=at(2026, 11, 23, 10))
    assert sla_of(ticket).first_response_business_seconds is None


def test_late_first_reply_is_a_breach(open_at, agent):
    ticket = open_at(at(2026, 11, 23, 9))
    services.reply_to_ticket(ticket=ticket, agent=agent, body="Sorry", now=at(2026, 11, 23, 13, 1))
    assert sla_of(ticket).first_response_breached


@pytest.fixture
def pending_for_a_day(open_at, agent, customer):
    """Created Mon 9:00, answered and set pending at 10:00, customer replies Tue 10:00."""
    ticket = open_at(at(2026, 11, 23, 9))
    services.reply_to_ticket(ticket=ticket, agent=agent, body="Which model?",
                             new_status=Ticket.Status.PENDING, now=at(2026, 11, 23, 10))
    assert sla_of(ticket).paused_at == at(2026, 11, 23, 10)
    services.add_customer_message(ticket=ticket, customer=customer, body="Model X",
                                  now=at(2026, 11, 24, 10))
    return Ticket.objects.get(pk=ticket.pk)


def test_pending_time_is_paused_and_pushes_the_resolution_due_time(pending_for_a_day):
    sla = sla_of(pending_for_a_day)
    assert sla.paused_at is None
    assert sla.paused_business_seconds == 8 * HOUR  # Mon 10–16 and Tue 8–10
    # 24 business hours from Mon 9:00 is Thu 9:00; eight paused hours make it Fri 9:00.
    assert sla.resolution_due_at == at(2026, 11, 27, 9)


def test_customer_reply_after_pending_starts_a_next_response_cycle(pending_for_a_day):
    assert sla_of(pending_for_a_day).next_response_due_at == at(2026, 11, 25, 10)


def test_solve_stores_resolution_without_paused_time(pending_for_a_day, agent):
    services.solve_ticket(ticket=pending_for_a_day, actor=agent, now=at(2026, 11, 25, 10))
    sla = sla_of(pending_for_a_day)
    assert sla.resolution_business_seconds == (7 + 8 + 2 - 8) * HOUR
    assert sla.resolution_calendar_seconds == 49 * HOUR
    assert not sla.resolution_breached


def test_next_response_reply_in_time_clears_the_clock(pending_for_a_day, agent):
    services.reply_to_ticket(ticket=pending_for_a_day, agent=agent, body="Fixed",
                             now=at(2026, 11, 25, 9))
    sla = sla_of(pending_for_a_day)
    assert sla.next_response_due_at is None
    assert not sla.next_response_breached


def test_late_next_response_is_a_breach(pending_for_a_day, agent):
    services.reply_to_ticket(ticket=pending_for_a_day, agent=agent, body="Fixed",
                             now=at(2026, 11, 25, 11))
    assert sla_of(pending_for_a_day).next_response_breached


def test_on_hold_does_not_pause_unless_the_policy_says_so(open_at, agent):
    ticket = open_at(at(2026, 11, 23, 9))
    services.change_status(ticket=ticket, status="on_hold", actor=agent, now=at(2026, 11, 23, 10))
    assert sla_of(ticket).paused_at is None


def test_on_hold_pauses_when_the_policy_says_so(open_at, agent):
    SLAPolicy.objects.filter(name="Normal").update(pause_on_hold=True)
    ticket = open_at(at(2026, 11, 23, 9))
    services.change_status(ticket=ticket, status="on_hold", actor=agent, now=at(2026, 11, 23, 10))
    services.change_status(ticket=ticket, status="open", actor=agent, now=at(2026, 11, 23, 12))
    assert sla_of(ticket).paused_business_seconds == 2 * HOUR
    assert sla_of(ticket).first_response_due_at == at(2026, 11, 23, 15)


def test_reopen_continues_resolution_up_to_the_final_solve(open_at, agent, customer):
    ticket = open_at(at(2026, 11, 23, 9))
    services.solve_ticket(ticket=ticket, actor=agent, now=at(2026, 11, 23, 11))
    assert sla_of(ticket).resolution_business_seconds == 2 * HOUR
    services.add_customer_message(ticket=ticket, customer=customer, body="Still broken",
                                  now=at(2026, 11, 24, 9))
    assert sla_of(ticket).resolution_business_seconds is None
    ticket.refresh_from_db()
    services.solve_ticket(ticket=ticket, actor=agent, now=at(2026, 11, 24, 10))
    assert sla_of(ticket).resolution_business_seconds == (7 + 2) * HOUR


@time_machine.travel(datetime(2026, 11, 23, 10, tzinfo=HELSINKI), tick=False)
def test_priority_change_reevaluates_the_policy_and_records_it(open_at, agent):
    ticket = open_at(at(2026, 11, 23, 9))
    normal = sla_of(ticket).policy
    services.change_priority(ticket=ticket, priority="urgent", actor=agent)
    sla = sla_of(ticket)
    assert sla.policy.name == "Urgent"
    assert sla.first_response_due_at == at(2026, 11, 23, 10)  # one business hour
    event = TicketEvent.objects.get(ticket=ticket, field="sla_policy")
    assert (event.old_value, event.new_value) == (str(normal.pk), str(sla.policy_id))


@time_machine.travel(datetime(2026, 11, 23, 10, tzinfo=HELSINKI), tick=False)
def test_priority_change_keeps_a_first_response_already_made(open_at, agent):
    ticket = open_at(at(2026, 11, 23, 9))
    services.reply_to_ticket(ticket=ticket, agent=agent, body="Hi", now=at(2026, 11, 23, 9, 30))
    services.change_priority(ticket=ticket, priority="urgent", actor=agent)
    sla = sla_of(ticket)
    assert sla.first_response_business_seconds == 30 * 60
    assert sla.first_response_due_at == at(2026, 11, 23, 13)


@time_machine.travel(datetime(2026, 11, 23, 10, tzinfo=HELSINKI), tick=False)
def test_team_change_to_a_team_with_its_own_policy_applies_it(open_at, agent, other_team):
    special = SLAPolicy.objects.create(name="Billing", position=1, resolution_minutes=60,
                                       calendar=BusinessCalendar.objects.get(is_default=True))
    special.teams.add(other_team)
    ticket = open_at(at(2026, 11, 23, 9))
    services.change_team(ticket=ticket, team=other_team, actor=agent)
    assert sla_of(ticket).policy == special
    assert sla_of(ticket).resolution_due_at == at(2026, 11, 23, 10)


def test_merged_ticket_stops_counting(open_at, agent):
    source, target = open_at(at(2026, 11, 23, 9)), open_at(at(2026, 11, 23, 9, 5))
    services.change_status(ticket=source, status="pending", actor=agent, now=at(2026, 11, 23, 10))
    services.merge_tickets(source=source, target=target, actor=agent)
    assert sla_of(source).paused_at is None


def test_bulk_start_clocks_gives_the_same_due_times_as_one_by_one(customer, team,
                                                                  django_assert_max_num_queries):
    from tests.factories import TicketFactory
    from tickets.services.sla import bulk_start_clocks

    created = at(2026, 11, 20, 15, 30)
    tickets = [TicketFactory(customer=customer, team=team, priority=p, created_at=created)
               for p in ("normal", "urgent", "normal")]
    tickets = list(Ticket.objects.filter(pk__in=[t.pk for t in tickets])
                   .select_related("customer__organization").order_by("pk"))
    with django_assert_max_num_queries(8):
        bulk_start_clocks(tickets=tickets, now=created)
    assert [sla_of(t).first_response_due_at for t in tickets] == [
        at(2026, 11, 23, 11, 30), at(2026, 11, 23, 8, 30), at(2026, 11, 23, 11, 30)]
