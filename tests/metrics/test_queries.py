"""Every definition of docs/metrics.md against hand-computed fixtures."""

from datetime import timedelta

import pytest

from metrics.fast import read
from tests.factories import OrganizationFactory, UserFactory
from tickets.models import Ticket

from .conftest import (
    END,
    INSIDE,
    START,
    make_follow_up,
    make_invitation,
    make_response,
    make_ticket,
)

pytestmark = pytest.mark.django_db


def test_no_responses_gives_no_scores_and_flags_too_few(period):
    result = read.summary(period)
    assert result["nps"] == {"score": None, "n": 0, "promoters": 0, "passives": 0,
                             "detractors": 0, "margin_of_error": None, "too_few": True}
    assert result["csat"]["score"] is None and result["ces"]["score"] is None
    assert result["response_rate"] is None and result["fcr_pct"] is None


def test_nps_counts_promoters_passives_and_detractors(period):
    for score in (10, 9, 9, 8, 7, 6, 0):
        make_response("nps", score)
    nps = read.summary(period)["nps"]
    assert (nps["promoters"], nps["passives"], nps["detractors"], nps["n"]) == (3, 2, 2, 7)
    assert nps["score"] == pytest.approx(round(100 * (3 - 2) / 7, 1))
    assert nps["too_few"] is True


def test_all_detractors_give_minus_100(period):
    for score in (0, 3, 6):
        make_response("nps", score)
    assert read.summary(period)["nps"]["score"] == -100.0


def test_one_response_has_a_score_and_a_wide_margin(period):
    make_response("nps", 10)
    nps = read.summary(period)["nps"]
    assert nps["score"] == 100.0 and nps["margin_of_error"] == 73.5


def test_enough_responses_clear_the_too_few_flag(period, settings):
    settings.HELPDESK_MIN_RESPONSES = 2
    make_response("nps", 10)
    make_response("nps", 9)
    assert read.summary(period)["nps"]["too_few"] is False


def test_csat_is_share_of_4_and_5_with_mean_and_wilson_interval(period):
    for score in (5, 4, 4, 3, 1):
        make_response("csat", score)
    csat = read.summary(period)["csat"]
    assert csat["score"] == 60.0 and csat["mean"] == 3.4 and csat["n"] == 5
    # Wilson 3 of 5: centre 0.6768/1.7683 ... = [23.1, 88.2]
    assert (csat["ci_low"], csat["ci_high"]) == (23.1, 88.2)


def test_ces_is_the_mean_with_share_of_5_to_7(period):
    for score in (7, 5, 4, 1):
        make_response("ces", score)
    ces = read.summary(period)["ces"]
    assert ces["score"] == 4.25 and ces["easy_pct"] == 50.0 and ces["n"] == 4


def test_response_on_another_scale_never_mixes_in(period):
    response = make_response("csat", 5)
    type(response).objects.filter(pk=response.pk).update(scale_max=10, score=9)
    assert read.summary(period)["csat"]["n"] == 0


def test_responses_outside_the_period_are_left_out(period):
    make_response("nps", 10, created_at=START - timedelta(seconds=1))
    make_response("nps", 10, created_at=END)
    make_response("nps", 0, created_at=START)
    assert read.summary(period)["nps"]["n"] == 1


def test_responses_filter_on_their_own_stored_team_not_the_tickets(period, team, other_team):
    ticket = make_ticket(team=other_team)  # reassigned after the survey
    make_response("nps", 10, ticket=ticket, team=team)
    assert read.summary(period.__class__(START, END, team_id=team.pk))["nps"]["n"] == 1
    assert read.summary(period.__class__(START, END, team_id=other_team.pk))["nps"]["n"] == 0


def test_response_rate_is_responses_over_invitations_delivered(period):
    make_invitation(answered_with=10)
    make_invitation()
    make_invitation()
    make_invitation(answered_with=3)
    assert read.summary(period)["response_rate"] == 50.0


def test_first_response_median_p90_and_sla_met(period):
    for seconds, breached in ((100, False), (200, False), (300, False), (400, True)):
        make_ticket(first_response_at=INSIDE, sla={
            "first_response_business_seconds": seconds, "first_response_calendar_seconds": 9,
            "first_response_due_at": INSIDE, "first_response_breached": breached})
    make_ticket(first_response_at=INSIDE, sla={"first_response_business_seconds": 1000})
    first = read.summary(period)["first_response"]
    # 100, 200, 300, 400, 1000: median 300; p90 at position 3.6 → 400 + 0.6 × 600 = 760.
    assert (first["median_seconds"], first["p90_seconds"], first["n"]) == (300, 760, 5)
    assert first["sla_met_pct"] == 75.0  # the ticket with no target is not in the ratio


def test_resolution_uses_stored_business_seconds_that_exclude_pending(period):
    # Solved 10 hours after creation, of which 8 were pending: business seconds stored 7200.
    make_ticket(status=Ticket.Status.SOLVED, solved_at=INSIDE, sla={
        "resolution_business_seconds": 7200, "resolution_calendar_seconds": 36000,
        "resolution_due_at": INSIDE, "resolution_breached": False})
    resolution = read.summary(period)["resolution"]
    assert resolution["median_seconds"] == 7200 and resolution["sla_met_pct"] == 100.0


def test_fcr_counts_one_public_reply_and_never_reopened(period):
    solved = {"status": Ticket.Status.SOLVED, "solved_at": INSIDE}
    make_ticket(public_reply_count=1, **solved)
    make_ticket(public_reply_count=1, reopen_count=1, **solved)
    make_ticket(public_reply_count=2, **solved)
    make_ticket(public_reply_count=1, status=Ticket.Status.OPEN)  # not solved
    result = read.summary(period)
    assert result["tickets_solved"] == 3
    assert result["fcr_pct"] == pytest.approx(33.3)
    assert result["reopen_pct"] == pytest.approx(33.3)


def test_created_solved_and_backlog(period):
    make_ticket(status=Ticket.Status.OPEN)
    make_ticket(status=Ticket.Status.PENDING, created_at=START - timedelta(days=30))
    make_ticket(status=Ticket.Status.SOLVED, solved_at=INSIDE)
    make_ticket(status=Ticket.Status.OPEN, created_at=END + timedelta(hours=1))
    make_ticket(status=Ticket.Status.OPEN, is_spam=True)
    result = read.summary(period)
    assert (result["tickets_created"], result["tickets_solved"], result["backlog"]) == (2, 1, 2)


def test_filters_combine(period, team, other_team):
    org = OrganizationFactory(tier="premium")
    from tests.factories import CustomerFactory

    premium = CustomerFactory(organization=org)
    make_ticket(team=team, channel="chat", priority="high", customer=premium)
    make_ticket(team=team, channel="chat", priority="low", customer=premium)
    make_ticket(team=team, channel="email", priority="high", customer=premium)
    make_ticket(team=other_team, channel="chat", priority="high", customer=premium)
    make_ticket(team=team, channel="chat", priority="high")
    f = period.__class__(START, END, team_id=team.pk, channel="chat", priority="high",
                         tier="premium")
    assert read.summary(f)["tickets_created"] == 1


def test_breakdown_by_channel_groups_in_one_query_per_family(period, django_assert_max_num_queries):
    for channel, score in (("chat", 10), ("chat", 0), ("email", 9), ("phone", 8)):
        make_response("nps", score, channel=channel)
    with django_assert_max_num_queries(8):
        rows = {row["key"]: row for row in read.breakdown(period, "channel")}
    assert rows["chat"]["nps"]["score"] == 0.0 and rows["email"]["nps"]["score"] == 100.0
    assert rows["phone"]["nps"]["passives"] == 1


def test_breakdown_by_agent_labels_agents_and_keeps_percentiles_per_group(period):
    ann, bob = UserFactory(name="Ann"), UserFactory(name="Bob")
    for agent, seconds in ((ann, 10), (ann, 30), (bob, 100)):
        make_ticket(assignee=agent, first_response_at=INSIDE,
                    sla={"first_response_business_seconds": seconds})
    rows = {row["label"]: row for row in read.breakdown(period, "agent")}
    assert rows["Ann"]["first_response"]["median_seconds"] == 20
    assert rows["Bob"]["first_response"]["p90_seconds"] == 100


def test_breakdown_by_week_puts_rows_in_their_iso_week(period):
    make_response("csat", 5, created_at=START)  # Monday 1 June 2026
    make_response("csat", 1, created_at=START + timedelta(days=6, hours=23))
    rows = read.breakdown(period.__class__(START, START + timedelta(days=14)), "week")
    assert [(r["key"], r["csat"]["n"]) for r in rows] == [("2026-06-01", 2)]


def test_follow_ups_loop_closed_within_48_hours(period):
    make_follow_up(closed_after_hours=47)
    make_follow_up(closed_after_hours=49)
    make_follow_up()
    make_follow_up(closed_after_hours=48)
    result = read.follow_up_summary(period)
    assert (result["total"], result["open"], result["closed_in_time"]) == (4, 1, 2)
    assert result["closed_in_time_pct"] == 50.0


def test_summary_pair_reads_both_periods_in_one_query_per_family(
        period, django_assert_num_queries):
    from django.db import connection

    make_response("nps", 10)
    make_ticket(created_at=START - timedelta(days=3))  # in the previous period
    # the rollup state (none here: live), responses, invitations, tickets; SQLite adds the
    # window-function percentiles (first response and resolution, per period).
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 8):
        current, previous = read.summary_pair(period)
    assert (current["nps"]["n"], previous["nps"]["n"]) == (1, 0)
    assert (current["tickets_created"], previous["tickets_created"]) == (1, 1)


def test_summary_pair_equals_two_separate_summaries(period):
    make_response("nps", 3, created_at=START - timedelta(days=1))
    make_response("csat", 5)
    make_ticket(created_at=START - timedelta(days=2), solved_at=START - timedelta(days=1))
    current, previous = read.summary_pair(period)
    assert current == read.summary(period)
    # The backlog is "unresolved now": it has no previous-period value to compare with.
    assert previous == read.summary(period.previous()) | {"backlog": None}
