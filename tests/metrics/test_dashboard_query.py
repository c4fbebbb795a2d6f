"""read.dashboard_figures (a few grouped queries) equals the figure sets asked one by one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.fast import read
from metrics.fast.grouped import dashboard_parts
from metrics.models import (
    DailyScoreMarginals,
    DailyScoreTotals,
    DailyTicketMarginals,
    TimedCumulative,
)

from .test_rollups import _diff, _filter_sets, _refresh_all, varied  # noqa: F401 (the fixture, used below)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("varied")]


def _one_by_one(f, trend_by: str) -> dict:
    current, previous = read.summary_pair(f)
    return {"current": current, "previous": previous, "trend": read.breakdown(f, trend_by),
            "tables": {by: read.breakdown(f, by) for by in ("channel", "agent", "team")}}


def _without_previous_percentiles(figures: dict) -> dict:
    # The tiles compare SLA met %, so the dashboard does not ask the previous period's
    # median and p90; every other figure must be equal.
    for clock in ("first_response", "resolution"):
        figures["previous"][clock] |= {"median_seconds": None, "p90_seconds": None}
    return figures


def _figures_only(figures: dict) -> dict:
    figures.pop("all_as_of_refresh")  # whether medians and backlog are as of the refresh
    return figures


@pytest.mark.parametrize("trend_by", ["week", "month"])
def test_dashboard_figures_equal_the_live_figure_sets(team, agent, trend_by):
    filters = _filter_sets(team, agent)
    live = [_without_previous_percentiles(_one_by_one(f, trend_by)) for f in filters]
    _refresh_all()
    combined = [_without_previous_percentiles(_figures_only(read.dashboard_figures(f, trend_by)))
                for f in filters]
    assert list(_diff(combined, live))[:20] == []
    assert combined == live
    assert live[0]["current"]["resolution"]["median_seconds"] is not None  # not vacuous
    assert len(live[0]["tables"]["agent"]) > 2 and len(live[0]["trend"]) >= 1


def test_dashboard_reads_the_rollups_in_one_query_per_table(team, agent):
    _refresh_all()
    f = _filter_sets(team, agent)[0]
    with CaptureQueriesContext(connection) as captured:
        assert dashboard_parts(f, "week") is not None
    sqls = [q["sql"] for q in captured.captured_queries]
    # Without filters each grouping is read from the marginal tables' own rows.
    assert sum(DailyScoreMarginals._meta.db_table in sql for sql in sqls) == 1
    assert sum(DailyTicketMarginals._meta.db_table in sql for sql in sqls) == 1
    assert not any(DailyScoreTotals._meta.db_table in sql for sql in sqls)
    if connection.vendor == "postgresql":
        # state, scores, tickets, percentile bounds, running totals, backlog; and the read
        # inside buckets of more than one value, which this small fixture has none of.
        assert not any("percentile_cont" in sql for sql in sqls)
        assert sum(TimedCumulative._meta.db_table in sql for sql in sqls) == 1
        assert len(sqls) == 6


def test_a_filtered_dashboard_groups_the_totals_in_one_query(team, agent):
    _refresh_all()
    chat = [f for f in _filter_sets(team, agent) if f.channel == "chat"][0]
    with CaptureQueriesContext(connection) as captured:
        assert dashboard_parts(chat, "week") is not None
    sqls = [q["sql"] for q in captured.captured_queries]
    assert sum(DailyScoreTotals._meta.db_table in sql for sql in sqls) == 1
    assert not any(DailyScoreMarginals._meta.db_table in sql for sql in sqls)


def test_a_priority_filter_reads_the_rollups_too(team, agent):
    # Score rows carry the answered ticket's priority, so this filter no longer goes live.
    _refresh_all()
    priority = [f for f in _filter_sets(team, agent) if f.priority][0]
    with CaptureQueriesContext(connection) as captured:
        parts = dashboard_parts(priority, "week")
    assert parts is not None
    # from the marginal rows of that priority (equal to live: the test above)
    assert any(DailyScoreMarginals._meta.db_table in q["sql"] for q in captured.captured_queries)
    assert parts[None][None]["cur"]["scores"]["nps_n"] > 0
