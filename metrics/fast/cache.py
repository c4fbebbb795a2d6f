"""The manager dashboard's figures, cached per rollup refresh.

Every figure of the dashboard comes from the rollups (counts, scores, and the TimedTicket
rows behind the medians), so it changes only when `refresh_rollups` runs and stamps
`RollupState.refreshed_at`. The data (not the HTML: labels, language and time zone stay per
request) is cached under a key holding the filters, the trend grouping and that stamp, so a
refresh makes every older entry unreachable; they expire on their own. The backlog is
counted when the entry is computed (by the warm-up right after the refresh), and the page
says so. A missing entry is computed as before: slower, never different; so is every entry
while the cache (Redis) is down (helpdesk/cache.py).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from helpdesk import cache

from ..definitions import FILTERS
from ..filters import PRESETS, MetricFilters, parse_filters
from . import rollups
from .grouped import dashboard_parts
from .models import RollupState

# Longer than the refresh interval (10 min) with room for a stalled beat; a new refresh
# stamp changes every key anyway.
TIMEOUT_SECONDS = 6 * 3600
_VERSION = 1  # bump when the shape of dashboard_parts changes


def cache_key(f: MetricFilters, trend_by: str, refreshed_at: datetime) -> str:
    identity = repr((f.start.isoformat(), f.end.isoformat(),
                     *(d.value_of(f) for d in FILTERS), trend_by))
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"metrics:dashboard:v{_VERSION}:{digest}:{refreshed_at.isoformat()}"


def cached_dashboard_parts(f: MetricFilters, trend_by: str, *,
                           state: RollupState | None | Literal[False] = False) -> dict | None:
    """dashboard_parts(f, trend_by), from the cache when this refresh already computed it.
    None (live figures) is never cached: live figures move between refreshes. ``state``:
    the RollupState the caller already read."""
    state = rollups.rollup_state() if state is False else state
    if state is None or state.refreshed_at is None:
        return dashboard_parts(f, trend_by, state=state)
    key = cache_key(f, trend_by, state.refreshed_at)
    parts = cache.get(key)
    if parts is None:
        parts = dashboard_parts(f, trend_by, state=state)
        if parts is not None:
            cache.set(key, parts, TIMEOUT_SECONDS)
    return parts


def trend_dimension(f: MetricFilters) -> str:
    return "week" if f.days <= 120 else "month"


def warm_dashboards(presets: tuple[int, ...] = PRESETS) -> list[str]:
    """Compute the unfiltered preset periods for the current refresh; the keys filled.
    Run right after a refresh so managers find the common views computed."""
    state = rollups.rollup_state()
    if state is None or state.refreshed_at is None:
        return []
    keys = []
    for days in presets:
        f = parse_filters({"days": str(days)})
        trend_by = trend_dimension(f)
        key = cache_key(f, trend_by, state.refreshed_at)
        if cache.get(key) is None:
            parts = dashboard_parts(f, trend_by, state=state)
            if parts is None:
                continue
            cache.set(key, parts, TIMEOUT_SECONDS)
        keys.append(key)
    return keys
