from .canned import CannedResponse, SavedFilter
from .core import (
    Attachment,
    Channel,
    Customer,
    Message,
    Organization,
    OrganizationDomain,
    Tag,
    Team,
    TeamMembership,
    Ticket,
    TicketEvent,
)
from .email import InboundEmail, IntakeNonce
from .macros import Macro
from .notes import CustomerNote  # customer page (docs/customers.md)
from .routing import ChannelDefault, ReceivingAddress
from .sla import BusinessCalendar, CustomHoliday, SLAPolicy, TicketSLA, WorkingInterval

__all__ = [
    "Attachment",
    "BusinessCalendar",
    "CannedResponse",
    "Channel",
    "ChannelDefault",
    "CustomHoliday",
    "Customer",
    "CustomerNote",
    "InboundEmail",
    "IntakeNonce",
    "Macro",
    "Message",
    "Organization",
    "OrganizationDomain",
    "ReceivingAddress",
    "SLAPolicy",
    "SavedFilter",
    "Tag",
    "Team",
    "TeamMembership",
    "Ticket",
    "TicketEvent",
    "TicketSLA",
    "WorkingInterval",
]
