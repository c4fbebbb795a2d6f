"""Per-process copies of the SLA configuration: active policies and calendar snapshots.

Every new ticket matches a policy and computes due times in its calendar, and every
queue row shows a due time in it; loading them per ticket cost five queries and
rebuilt the calendar's holiday tables each time. The configuration changes rarely (an
admin edits it), so each process keeps a copy until the configuration's shared
version moves (helpdesk/versioned.py): saving or deleting a policy, calendar, working
interval or holiday moves it, so the process that saved sees the change at once and
every other web and worker process within ``RECHECK_SECONDS`` (the version is asked at
most that often, not once per queue row). Without a cache that answers, the copy
lasts ``RECHECK_SECONDS``. Changed settings (tests override them around every test)
drop this process's copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.signals import setting_changed
from django.db.models.signals import m2m_changed, post_delete, post_save

from helpdesk import versioned

from ...businesstime import CalendarSnapshot
from ...models import BusinessCalendar, CustomHoliday, SLAPolicy, WorkingInterval

RECHECK_SECONDS = 1.0
_UNREAD = object()


@dataclass
class _Configuration:
    """What this process has read of the configuration at one version; filled as asked."""

    policies: list[SLAPolicy] | None = None
    snapshots: dict[int, CalendarSnapshot] = field(default_factory=dict)
    default: object = _UNREAD


_configuration = versioned.Copy("tickets:sla-configuration", _Configuration,
                                recheck_after=RECHECK_SECONDS)


def active_policies() -> list[SLAPolicy]:
    """Active policies in their order, teams prefetched (two queries)."""
    return list(
        SLAPolicy.objects.filter(active=True).order_by("position", "pk").prefetch_related("teams")
    )


def cached_policies() -> list[SLAPolicy]:
    """active_policies(), loaded once per version. Treat the list as read-only."""
    configuration = _configuration.get()
    if configuration.policies is None:
        configuration.policies = active_policies()
    return configuration.policies


def calendar_snapshot(calendar_id: int) -> CalendarSnapshot | None:
    """The calendar's snapshot; its per-year holiday tables are built once per version."""
    snapshots = _configuration.get().snapshots
    snapshot = snapshots.get(calendar_id)
    if snapshot is None:
        calendar = BusinessCalendar.objects.filter(pk=calendar_id).first()
        if calendar is None:
            return None
        snapshot = snapshots[calendar_id] = CalendarSnapshot.from_model(calendar)
    return snapshot


def default_calendar_id() -> int | None:
    """The default calendar (clocks without a policy still measure figures in it)."""
    configuration = _configuration.get()
    if configuration.default is _UNREAD:
        configuration.default = (BusinessCalendar.objects.filter(is_default=True).order_by("pk")
                                 .values_list("pk", flat=True).first())
    return configuration.default  # type: ignore[return-value]


def clear_calendar_cache(*args: object, **kwargs: object) -> None:
    """The configuration changed (a signal receiver): every process reads it again."""
    _configuration.forget()


for _model in (SLAPolicy, BusinessCalendar, WorkingInterval, CustomHoliday):
    post_save.connect(clear_calendar_cache, sender=_model,
                      dispatch_uid=f"sla-cache-save-{_model.__name__}")
    post_delete.connect(clear_calendar_cache, sender=_model,
                        dispatch_uid=f"sla-cache-delete-{_model.__name__}")
m2m_changed.connect(clear_calendar_cache, sender=SLAPolicy.teams.through,
                    dispatch_uid="sla-cache-policy-teams")
setting_changed.connect(_configuration.drop, dispatch_uid="sla-cache-settings")
