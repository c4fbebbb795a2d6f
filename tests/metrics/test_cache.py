"""The manager dashboard's data is cached per rollup refresh and warmed by the beat task."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from metrics.fast import read
from metrics.fast.cache import cache_key, trend_dimension
from metrics.fast.grouped import dashboard_parts
from metrics.fast.refresh import refresh_rollups
from metrics.filters import MetricFilters, parse_filters
from metrics.models import RollupState
from metrics.tasks import refresh_metric_rollups

from .conftest import END, START, make_ticket
from .test_rollups import _refresh_all, varied  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _stamp():
    return RollupState.objects.get(pk=1).refreshed_at


def test_cached_dashboard_equals_the_uncached_computation(varied, django_assert_max_num_queries):  # noqa: F811
    _refresh_all()
    f = MetricFilters(start=START, end=END)
    cold = read.dashboard_figures(f, "week")
    assert cache.get(cache_key(f, "week", _stamp())) is not None
    with django_assert_max_num_queries(3) as warm_queries:  # rollup state + agent/team labels
        warm = read.dashboard_figures(f, "week")
    assert warm == cold
    assert not any("percentile" in q["sql"].lower() or "GROUPING" in q["sql"]
                   for q in warm_queries.captured_queries)
    cache.clear()
    assert read.dashboard_figures(f, "week") == cold


def test_a_new_refresh_invalidates_the_cached_figures(varied):  # noqa: F811
    _refresh_all()
    f = MetricFilters(start=START, end=END)
    before = read.dashboard_figures(f, "week")["current"]["tickets_created"]
    old_key = cache_key(f, "week", _stamp())
    make_ticket(created_at=START + timedelta(days=1), channel="web")
    assert read.dashboard_figures(f, "week")["current"]["tickets_created"] == before  # cached
    _refresh_all()
    assert cache_key(f, "week", _stamp()) != old_key
    assert read.dashboard_figures(f, "week")["current"]["tickets_created"] == before + 1


def test_the_refresh_task_warms_every_unfiltered_preset(client, manager, ticket):
    today = timezone.localdate()
    refresh_rollups(since=today - timedelta(days=800), until=today + timedelta(days=1))
    refresh_metric_rollups()
    stamp = _stamp()
    for days in (7, 30, 90, 365):
        f = parse_filters({"days": str(days)})
        parts = cache.get(cache_key(f, trend_dimension(f), stamp))
        assert parts == dashboard_parts(f, trend_dimension(f))
    client.force_login(manager)
    response = client.get("/metrics/?days=90")
    assert "the backlog included" in response.content.decode()

