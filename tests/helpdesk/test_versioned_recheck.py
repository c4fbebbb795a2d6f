"""Copies asked for many times per request (the SLA calendars, once per queue row) ask
the shared version at most once per ``recheck_after`` seconds (helpdesk/versioned.py);
the routing tables and the SLA configuration follow a change in another process."""

from __future__ import annotations

from datetime import time as clock

import pytest

from helpdesk import cache, versioned
from tests.factories import TeamFactory, UserFactory
from tickets import routing
from tickets.models import BusinessCalendar, ChannelDefault, WorkingInterval
from tickets.services.sla import cache as sla_cache


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def moved_clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(versioned, "_clock", fake)
    return fake


@pytest.mark.django_db  # forget() moves the version again after commit
def test_the_version_is_asked_at_most_once_per_recheck_window(moved_clock, monkeypatch):
    loads, asked = [], []
    copy = versioned.Copy("tests:recheck", lambda: loads.append(1) or len(loads),
                          recheck_after=1.0)
    real_current = versioned.current
    monkeypatch.setattr(versioned, "current", lambda key: asked.append(key) or real_current(key))
    assert copy.get() == 1 and len(asked) == 1
    for _ in range(50):  # a queue page's rows
        assert copy.get() == 1
    assert len(asked) == 1
    versioned.bump("tests:recheck")  # another process changed the rows
    assert copy.get() == 1  # within the window: this process's copy
    moved_clock.now += 1.5
    assert copy.get() == 2 and len(asked) == 2
    copy.forget()  # a change in this process: seen at once
    assert copy.get() == 3


@pytest.mark.django_db
def test_a_routing_change_in_another_process_is_seen_within_the_window(moved_clock):
    billing, support = TeamFactory(name="Billing"), TeamFactory(name="Support")
    ChannelDefault.objects.update_or_create(channel="phone", defaults={"team": billing})
    assert routing.default_team(channel="phone").pk == billing.pk
    # Another process moves phone tickets to Support: rows changed, this copy not yet …
    ChannelDefault.objects.filter(channel="phone").update(team=support)
    versioned.bump("tickets:routing")  # … that process's save moved the version
    assert routing.default_team(channel="phone").pk == billing.pk
    moved_clock.now += routing.RECHECK_SECONDS + 0.1
    assert routing.default_team(channel="phone").pk == support.pk


@pytest.mark.django_db
def test_a_round_robin_turn_does_not_move_the_routing_version():
    team = TeamFactory(name="Billing")
    before = versioned.current("tickets:routing")
    team.last_assigned = UserFactory()
    team.save(update_fields=["last_assigned"])
    assert versioned.current("tickets:routing") == before
    team.name = "Invoices"
    team.save()
    assert versioned.current("tickets:routing") != before


@pytest.mark.django_db
def test_an_sla_calendar_change_in_another_process_is_seen_within_the_window(moved_clock):
    calendar = BusinessCalendar.objects.get(is_default=True)
    assert sla_cache.calendar_snapshot(calendar.pk).week[5] == []
    WorkingInterval.objects.bulk_create([  # no signal: as if in another process
        WorkingInterval(calendar=calendar, weekday=5, start=clock(10), end=clock(12))])
    versioned.bump("tickets:sla-configuration")
    assert sla_cache.calendar_snapshot(calendar.pk).week[5] == []
    moved_clock.now += sla_cache.RECHECK_SECONDS + 0.1
    assert sla_cache.calendar_snapshot(calendar.pk).week[5] == [(clock(10), clock(12))]


@pytest.mark.django_db
def test_without_a_cache_the_sla_copy_lasts_the_window(moved_clock, monkeypatch,
                                                       django_assert_num_queries):
    monkeypatch.setattr(cache, "available", lambda: False)
    sla_cache.cached_policies()
    with django_assert_num_queries(0):
        sla_cache.cached_policies()
    moved_clock.now += sla_cache.RECHECK_SECONDS + 0.1
    with django_assert_num_queries(2):  # policies and their teams, read again
        sla_cache.cached_policies()
