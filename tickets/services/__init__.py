"""The tickets services: the only code that writes tickets and their threads."""

from .changes import ChangeResult, apply_ticket_changes
from .customers import (
    get_or_create_caller,
    get_or_create_customer,
    organization_for_email,
    set_survey_opt_out,
)
from .events import record_event
from .new_ticket import EmailDetails, NewTicket
from .tickets import (
    add_customer_message,
    add_internal_note,
    assign_ticket,
    change_priority,
    change_status,
    change_team,
    check_merge,
    close_quiet_solved_tickets,
    close_ticket,
    create_ticket,
    merge_tickets,
    open_ticket,
    reply_to_ticket,
    set_tags,
    solve_ticket,
)

__all__ = [
    "ChangeResult",
    "EmailDetails",
    "NewTicket",
    "apply_ticket_changes",
    "add_customer_message",
    "add_internal_note",
    "assign_ticket",
    "change_priority",
    "change_status",
    "change_team",
    "close_quiet_solved_tickets",
    "close_ticket",
    "create_ticket",
    "get_or_create_caller",
    "get_or_create_customer",
    "check_merge",
    "merge_tickets",
    "open_ticket",
    "organization_for_email",
    "record_event",
    "reply_to_ticket",
    "set_survey_opt_out",
    "set_tags",
    "solve_ticket",
]
