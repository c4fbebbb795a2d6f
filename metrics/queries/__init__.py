"""Metric queries: one implementation of each definition of docs/metrics.md, in SQL.

The read interface: ``summary``, ``summary_pair``, ``breakdown``, ``dashboard_figures`` and
``follow_up_summary``. Each answers from the rollups and caches when they hold the period,
else live; callers never choose (docs/metrics.md, "Where the code is").
"""

from ..definitions import GROUPINGS, TRENDS
from .summary import breakdown, dashboard_figures, follow_up_summary, summary, summary_pair

DIMENSIONS = (*GROUPINGS, *TRENDS)  # what a breakdown may be by

__all__ = ["DIMENSIONS", "breakdown", "dashboard_figures", "follow_up_summary", "summary",
           "summary_pair"]
