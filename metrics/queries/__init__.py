"""Metric queries: one implementation of each definition of docs/metrics.md, in SQL."""

from .base import DIMENSIONS
from .summary import breakdown, dashboard, follow_up_summary, summary, summary_pair

__all__ = ["DIMENSIONS", "breakdown", "dashboard", "follow_up_summary", "summary", "summary_pair"]
