"""SLA clocks, policy matching, check_sla and due-time wording.

The ticket services call the hooks (one line each) inside their transactions.
"""

from .checks import check_sla
from .clocks import (
    bulk_start_clocks,
    on_agent_reply,
    on_customer_message,
    on_status_changed,
    reevaluate_policy,
    start_clocks,
)
from .display import calendar_snapshot, clear_calendar_cache, describe_due, due_label
from .policies import match_policy

__all__ = [
    "bulk_start_clocks",
    "calendar_snapshot",
    "check_sla",
    "clear_calendar_cache",
    "describe_due",
    "due_label",
    "match_policy",
    "on_agent_reply",
    "on_customer_message",
    "on_status_changed",
    "reevaluate_policy",
    "start_clocks",
]
