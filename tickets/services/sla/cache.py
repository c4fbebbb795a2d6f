"""Per-process copies of the SLA configuration: active policies and calendar snapshots.

Every new ticket matches a policy and computes due times in its calendar; loading
them per ticket cost five queries and rebuilt the calendar's holiday tables each
time. The configuration changes rarely (an admin edits it), so each process keeps
a copy for at most ``TTL_SECONDS`` and drops it at once when this process saves or
deletes a policy, calendar, working interval or holiday. Another process (a web
worker editing the admin while the intake runs elsewhere) is seen within the TTL,
as the queue's due-time labels always were. Changed settings (tests override them
around every test) also drop the copy.
"""

from __future__ import annotations

import time

from django.core.signals import setting_changed
from django.db.models.signals import m2m_changed, post_delete, post_save

from ...businesstime import CalendarSnapshot
from ...models import BusinessCalendar, CustomHoliday, SLAPolicy, WorkingInterval

TTL_SECONDS = 60
_policies: list[tuple[float, list[SLAPolicy]]] = []
_snapshots: dict[int, tuple[float, CalendarSnapshot]] = {}
_default: list[tuple[float, int | None]] = []


def _fresh(stamp: float) -> bool:
    return time.monotonic() - stamp < TTL_SECONDS


def active_policies() -> list[SLAPolicy]:
    """Active policies in their order, teams prefetched (two queries)."""
    return list(
        SLAPolicy.objects.filter(active=True).order_by("position", "pk").prefetch_related("teams")
    )


def cached_policies() -> list[SLAPolicy]:
    """active_policies(), loaded at most once per TTL. Treat the list as read-only."""
    if _policies and _fresh(_policies[0][0]):
        return _policies[0][1]
    policies = active_policies()
    _policies[:] = [(time.monotonic(), policies)]
    return policies


def calendar_snapshot(calendar_id: int) -> CalendarSnapshot | None:
    """The calendar's snapshot; its per-year holiday tables are built once per process."""
    cached = _snapshots.get(calendar_id)
    if cached and _fresh(cached[0]):
        return cached[1]
    calendar = BusinessCalendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        return None
    snapshot = CalendarSnapshot.from_model(calendar)
    _snapshots[calendar_id] = (time.monotonic(), snapshot)
    return snapshot


def default_calendar_id() -> int | None:
    """The default calendar (clocks without a policy still measure figures in it)."""
    if _default and _fresh(_default[0][0]):
        return _default[0][1]
    calendar_id = (BusinessCalendar.objects.filter(is_default=True).order_by("pk")
                   .values_list("pk", flat=True).first())
    _default[:] = [(time.monotonic(), calendar_id)]
    return calendar_id


def clear_calendar_cache(*args: object, **kwargs: object) -> None:
    """Forget every cached policy and calendar (also a signal receiver)."""
    _policies.clear()
    _snapshots.clear()
    _default.clear()


for _model in (SLAPolicy, BusinessCalendar, WorkingInterval, CustomHoliday):
    post_save.connect(clear_calendar_cache, sender=_model,
                      dispatch_uid=f"sla-cache-save-{_model.__name__}")
    post_delete.connect(clear_calendar_cache, sender=_model,
                        dispatch_uid=f"sla-cache-delete-{_model.__name__}")
m2m_changed.connect(clear_calendar_cache, sender=SLAPolicy.teams.through,
                    dispatch_uid="sla-cache-policy-teams")
setting_changed.connect(clear_calendar_cache, dispatch_uid="sla-cache-settings")
