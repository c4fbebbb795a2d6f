"""The per-process copy of SLA policies and calendars follows saves at once."""

from datetime import time

from tickets.models import BusinessCalendar, SLAPolicy, WorkingInterval
from tickets.services.sla import cache


def test_policies_are_loaded_once(db, django_assert_num_queries):
    cache.clear_calendar_cache()
    cache.cached_policies()
    with django_assert_num_queries(0):
        cache.cached_policies()


def test_saving_a_policy_drops_the_copy(db):
    before = len(cache.cached_policies())
    calendar = BusinessCalendar.objects.get(is_default=True)
    SLAPolicy.objects.create(name="VIP", position=1, calendar=calendar)
    assert len(cache.cached_policies()) == before + 1


def test_a_new_working_interval_changes_the_snapshot(db):
    calendar = BusinessCalendar.objects.get(is_default=True)
    assert cache.calendar_snapshot(calendar.pk).week[5] == []
    WorkingInterval.objects.create(calendar=calendar, weekday=5, start=time(10), end=time(12))
    assert cache.calendar_snapshot(calendar.pk).week[5] == [(time(10), time(12))]
