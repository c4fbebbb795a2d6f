from django.urls import path

from .api.custom_fields import CustomFieldDetail, CustomFieldList
from .api.customers import CustomerList
from .api.intake import IntakeView
from .api.macros import ApplyMacro, MacroDetail, MacroList
from .api.messages import AttachmentDownload, TicketMessages
from .api.privacy import CustomerErase, CustomerExport, RetentionSettings
from .api.side import TicketForward
from .api.teams import AgentMe, TeamDetail, TeamList
from .api.tickets import TicketDetail, TicketListCreate
from .api.worklog import (
    SolveIncidents,
    TicketLinkDetail,
    TicketLinks,
    TicketTime,
    TicketTimer,
    TimeEntryDetail,
)

app_name = "tickets_api"

# Ids are matched as text and parsed by the views, so "abc" is a JSON 404, not an HTML page.
urlpatterns = [
    path("tickets/", TicketListCreate.as_view(), name="ticket-list"),
    path("tickets/<str:pk>/", TicketDetail.as_view(), name="ticket-detail"),
    path("tickets/<str:pk>/messages/", TicketMessages.as_view(), name="ticket-messages"),
    path("tickets/<str:pk>/forward/", TicketForward.as_view(), name="ticket-forward"),
    path("attachments/<str:pk>/", AttachmentDownload.as_view(), name="attachment"),
    path("intake/<str:channel>/", IntakeView.as_view(), name="intake"),
    path("tickets/<str:pk>/apply_macro/", ApplyMacro.as_view(), name="ticket-apply-macro"),
    path("macros/", MacroList.as_view(), name="macro-list"),
    path("macros/<str:pk>/", MacroDetail.as_view(), name="macro-detail"),
    path("teams/", TeamList.as_view(), name="team-list"),
    path("teams/<str:pk>/", TeamDetail.as_view(), name="team-detail"),
    path("agents/me/", AgentMe.as_view(), name="agent-me"),
    path("customers/<str:pk>/export/", CustomerExport.as_view(), name="customer-export"),
    path("customers/<str:pk>/erase/", CustomerErase.as_view(), name="customer-erase"),
    path("privacy/retention/", RetentionSettings.as_view(), name="privacy-retention"),
    # Custom fields, time entries, links (docs/custom-fields.md).
    path("custom-fields/", CustomFieldList.as_view(), name="custom-field-list"),
    path("custom-fields/<str:pk>/", CustomFieldDetail.as_view(), name="custom-field-detail"),
    path("tickets/<str:pk>/time/", TicketTime.as_view(), name="ticket-time"),
    path("tickets/<str:pk>/time/timer/", TicketTimer.as_view(), name="ticket-timer"),
    path("time-entries/<str:pk>/", TimeEntryDetail.as_view(), name="time-entry-detail"),
    path("tickets/<str:pk>/links/", TicketLinks.as_view(), name="ticket-links"),
    path("tickets/<str:pk>/links/<str:link_id>/", TicketLinkDetail.as_view(),
         name="ticket-link-detail"),
    path("tickets/<str:pk>/solve_incidents/", SolveIncidents.as_view(),
         name="ticket-solve-incidents"),
    path("customers/", CustomerList.as_view(), name="customer-list"),  # docs/customers.md
]
