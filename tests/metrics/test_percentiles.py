"""Exact percentiles from bucketed running totals equal percentile_cont (PostgreSQL)."""

import re
from collections import defaultdict
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.fast import buckets, rollups
from metrics.fast.grouped import _percentile_cont, _percentiles, dashboard_parts
from metrics.fast.refresh import refresh_rollups
from metrics.filters import MetricFilters, day_start
from metrics.models import RollupState, TimedBounds, TimedCumulative, TimedTicket
from tests.factories import UserFactory

from .conftest import END, START, make_ticket
from .test_rollups import FIRST_DAY, LAST_DAY, _refresh_all, varied  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'",
                                     reason="the bucketed totals are kept on PostgreSQL only")


def test_bounds_start_at_zero_and_rise():
    assert buckets.choose_bounds([]) == [0]
    bounds = buckets.choose_bounds([(v, 1) for v in range(0, 5000, 7)])
    assert bounds[0] == 0 and bounds == sorted(set(bounds))


def test_a_frequent_value_gets_a_bucket_of_its_own(monkeypatch):
    monkeypatch.setattr(buckets, "TARGET_BUCKETS", 10)
    histogram = [(v, 1) for v in range(100)] + [(28800, 500)] + [(v, 1) for v in range(28801, 28900)]
    bounds = buckets.choose_bounds(histogram)
    assert 28800 in bounds and 28801 in bounds  # [28800, 28801) holds one value
    # Every other bucket holds at most total / 10 rows.
    edges = [*bounds, float("inf")]
    for low, high in zip(edges, edges[1:], strict=False):
        inside = sum(count for value, count in histogram if low <= value < high)
        assert inside <= 70 or (low, high) == (28800, 28801)


def test_negative_values_are_left_out_of_the_bounds():
    assert buckets.choose_bounds([(-5, 3), (0, 1), (10, 1)])[0] == 0


def _both(f: MetricFilters, trend_by: str) -> tuple[dict, dict]:
    """(bucketed, percentile_cont) percentiles of one filter set."""
    cur, after = rollups.local_day(f.start), rollups.local_day(f.end)
    fast = _percentiles(f, trend_by, cur, after, rollups.rollup_state())
    exact: dict = defaultdict(lambda: defaultdict(dict))
    _percentile_cont(f, trend_by, cur, after,
                               [None, "channel", "agent", "team", trend_by], exact)
    return _plain(fast), _plain(exact)


def _plain(result) -> dict:
    return {by: {key: dict(families) for key, families in groups.items()}
            for by, groups in result.items() if groups}


def _filters(team, agent) -> list[MetricFilters]:
    return [MetricFilters(START, END), MetricFilters(START - timedelta(days=9), END + timedelta(days=6)),
            MetricFilters(START, START + timedelta(days=1)),
            MetricFilters(START + timedelta(days=3), END - timedelta(days=1)),
            MetricFilters(START, END, channel="chat"), MetricFilters(START, END, agent_id=agent.pk),
            MetricFilters(START, END, team_id=team.pk), MetricFilters(START, END, tier="premium"),
            MetricFilters(START, END, priority="high")]


@postgresql_only
@pytest.mark.usefixtures("varied")
@pytest.mark.parametrize("target_buckets", [4, buckets.TARGET_BUCKETS])
@pytest.mark.parametrize("trend_by", ["week", "month"])
def test_bucketed_percentiles_equal_percentile_cont(team, agent, monkeypatch, target_buckets,
                                                    trend_by):
    # With 4 buckets each holds many values (the second read is exercised); with the
    # default on this small fixture every value has a bucket of its own (no second read).
    monkeypatch.setattr(buckets, "TARGET_BUCKETS", target_buckets)
    _refresh_all()
    assert RollupState.objects.get().buckets_ready
    compared = 0
    for f in _filters(team, agent):
        fast, exact = _both(f, trend_by)
        assert fast == exact, f
        compared += sum(len(groups) for groups in exact.values())
    assert compared > 40  # not vacuous: many groups had timed tickets


@postgresql_only
@pytest.mark.usefixtures("varied")
@pytest.mark.parametrize("filters", [{}, {"channel": "chat"}, {"team": True}, {"agent": True},
                                     {"tier": "premium"}, {"priority": "high"}])
def test_a_dashboard_unfiltered_or_filtered_on_one_group_reads_no_percentile_cont(
        monkeypatch, team, agent, filters):
    monkeypatch.setattr(buckets, "TARGET_BUCKETS", 4)
    _refresh_all()
    if filters.pop("team", None):
        filters["team_id"] = team.pk
    if filters.pop("agent", None):
        filters["agent_id"] = agent.pk
    with CaptureQueriesContext(connection) as captured:
        parts = dashboard_parts(MetricFilters(START, END, **filters), "week")
    sqls = " ".join(q["sql"] for q in captured.captured_queries)
    assert "percentile_cont" not in sqls
    assert TimedCumulative._meta.db_table in sqls
    assert parts[None][None]["cur"]["solved"]["p50"] is not None
    # the breakdowns by the other dimensions come from the pair groups
    assert any(row["cur"]["solved"].get("p50") is not None for row in parts["channel"].values())


@postgresql_only
@pytest.mark.usefixtures("varied")
def test_two_filters_fall_back_to_percentile_cont(team):
    _refresh_all()
    for f in (MetricFilters(START, END, channel="chat", team_id=team.pk),
              MetricFilters(START, END, tier="premium", priority="high")):
        with CaptureQueriesContext(connection) as captured:
            fast, exact = _both(f, "week")
        assert fast == exact
        assert sum("percentile_cont" in q["sql"] for q in captured.captured_queries) == 2


@postgresql_only
@pytest.mark.usefixtures("varied")
def test_a_late_change_is_exact_after_the_refresh_of_its_days(team, agent, monkeypatch):
    monkeypatch.setattr(buckets, "TARGET_BUCKETS", 4)
    _refresh_all()
    bounds = dict(TimedBounds.objects.values_list("kind", "lower_bounds"))
    # Solved in the middle of the period, with a value above every bound (top bucket) and
    # one inside an existing bucket; later days' running totals must move too.
    for hours, seconds in ((30, 10 ** 7), (50, 1234)):
        solved = START + timedelta(days=2, hours=hours % 24)
        make_ticket(created_at=solved - timedelta(hours=5), solved_at=solved, status="solved",
                    channel="chat", assignee=agent, team=team,
                    sla={"resolution_business_seconds": seconds, "first_response_business_seconds": 60})
    refresh_rollups(since=(START + timedelta(days=2)).date(), until=(START + timedelta(days=3)).date())
    assert dict(TimedBounds.objects.values_list("kind", "lower_bounds")) == bounds  # not refitted
    for f in _filters(team, agent):
        fast, exact = _both(f, "week")
        assert fast == exact, f
    assert TimedTicket.objects.filter(seconds=10 ** 7).exists()


@postgresql_only
@pytest.mark.usefixtures("varied")
def test_refresh_of_everything_fits_the_bounds_anew(monkeypatch):
    monkeypatch.setattr(buckets, "TARGET_BUCKETS", 4)
    _refresh_all()
    before = dict(TimedBounds.objects.values_list("kind", "lower_bounds"))
    for i in range(20):
        make_ticket(created_at=START + timedelta(hours=i), solved_at=START + timedelta(hours=i + 2),
                    status="solved", sla={"resolution_business_seconds": 50_000 + i})
    refresh_rollups(since=FIRST_DAY - timedelta(days=12), until=LAST_DAY + timedelta(days=8),
                    everything_before=True)
    assert dict(TimedBounds.objects.values_list("kind", "lower_bounds")) != before
    fast, exact = _both(MetricFilters(START, END), "week")
    assert fast == exact


@postgresql_only
@pytest.mark.usefixtures("varied")
def test_before_the_first_refresh_fills_them_the_dashboard_uses_percentile_cont():
    _refresh_all()
    RollupState.objects.update(buckets_ready=False)  # as right after the migration
    with CaptureQueriesContext(connection) as captured:
        fast, exact = _both(MetricFilters(START, END), "week")
    assert fast == exact
    assert sum("percentile_cont" in q["sql"] for q in captured.captured_queries) == 2


@postgresql_only
@pytest.mark.usefixtures("varied")
def test_a_group_without_timed_tickets_in_the_period_has_no_percentiles(team):
    _refresh_all()
    quiet = UserFactory(teams=[team])
    f = MetricFilters(START, END, agent_id=quiet.pk)
    fast, exact = _both(f, "week")
    assert fast == exact == {}
    empty = MetricFilters(day_start(date(2026, 3, 1)), day_start(date(2026, 3, 8)))
    refresh_rollups(since=date(2026, 3, 1), until=date(2026, 3, 8))
    assert _both(empty, "week") == ({}, {})


@postgresql_only
@pytest.mark.usefixtures("varied")
def test_running_totals_are_stored_only_on_days_with_rows():
    _refresh_all()
    days_with_rows = set(TimedTicket.objects.filter(kind=TimedTicket.RESOLUTION)
                         .values_list("day", flat=True))
    everything = set(TimedCumulative.objects.filter(kind=TimedTicket.RESOLUTION,
                                                    dimension=TimedCumulative.ALL)
                     .values_list("day", flat=True))
    assert everything == days_with_rows
    last = TimedCumulative.objects.filter(kind=TimedTicket.RESOLUTION,
                                          dimension=TimedCumulative.ALL).latest("day")
    assert sum(buckets.unpack(last.counts)) == TimedTicket.objects.filter(
        kind=TimedTicket.RESOLUTION).count()


@postgresql_only
@pytest.mark.usefixtures("varied")
def test_check_percentiles_compares_both_ways_on_the_database(monkeypatch):
    monkeypatch.setattr(buckets, "TARGET_BUCKETS", 4)
    _refresh_all()
    out = StringIO()
    call_command("check_percentiles", "--days", "400", stdout=out)  # back to the fixture's June
    assert "Every figure equal." in out.getvalue()
    compared = [int(n) for n in re.findall(r"(\d+) figures", out.getvalue())]
    assert compared and compared[0] > 10


def test_check_percentiles_refuses_without_bucketed_totals():
    with pytest.raises(CommandError):
        call_command("check_percentiles")


@postgresql_only
@pytest.mark.usefixtures("varied")
def test_beat_task_tidies_the_rollup_tables_after_its_refresh(time_machine):
    from metrics.tasks import refresh_metric_rollups

    time_machine.move_to(END + timedelta(hours=3))
    _refresh_all()
    with CaptureQueriesContext(connection) as captured:
        refresh_metric_rollups()
    # inside the test's transaction VACUUM cannot run: the small refresh skips it, and the
    # nightly one (35 days) analyzes every rollup table
    assert not any(q["sql"].startswith(("VACUUM", "ANALYZE")) for q in captured.captured_queries)
    with CaptureQueriesContext(connection) as captured:
        refresh_metric_rollups(35)
    analyzed = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("ANALYZE")]
    assert f"ANALYZE {TimedCumulative._meta.db_table}" in analyzed and len(analyzed) == 8
