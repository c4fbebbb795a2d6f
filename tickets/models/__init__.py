from .canned import CannedResponse, SavedFilter
from .core import (
    PRIORITY_RANK,
    STATUS_RANK,
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

# Custom fields, time tracking and links (tk-fields).
from .fields import CustomField, TicketFieldValue
from .macros import Macro
from .notes import CustomerNote  # customer page (docs/customers.md)
from .retention import RetentionPolicy  # docs/privacy.md
from .routing import ChannelDefault, ReceivingAddress
from .side import SideConversation
from .sla import BusinessCalendar, CustomHoliday, SLAPolicy, TicketSLA, WorkingInterval
from .worklog import TicketLink, TimeEntry

__all__ = [
    "PRIORITY_RANK",
    "STATUS_RANK",
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
    "RetentionPolicy",
    "SLAPolicy",
    "SavedFilter",
    "SideConversation",
    "Tag",
    "Team",
    "TeamMembership",
    "Ticket",
    "TicketEvent",
    "TicketSLA",
    "WorkingInterval",
    # tk-fields
    "CustomField",
    "TicketFieldValue",
    "TicketLink",
    "TimeEntry",
]
