from django.urls import path

from .api.customers import CustomerList
from .api.intake import IntakeView
from .api.macros import ApplyMacro, MacroDetail, MacroList
from .api.messages import AttachmentDownload, TicketMessages
from .api.teams import AgentMe, TeamDetail, TeamList
from .api.tickets import TicketDetail, TicketListCreate

app_name = "tickets_api"

# Ids are matched as text and parsed by the views, so "abc" is a JSON 404, not an HTML page.
urlpatterns = [
    path("tickets/", TicketListCreate.as_view(), name="ticket-list"),
    path("tickets/<str:pk>/", TicketDetail.as_view(), name="ticket-detail"),
    path("tickets/<str:pk>/messages/", TicketMessages.as_view(), name="ticket-messages"),
    path("attachments/<str:pk>/", AttachmentDownload.as_view(), name="attachment"),
    path("intake/<str:channel>/", IntakeView.as_view(), name="intake"),
    path("tickets/<str:pk>/apply_macro/", ApplyMacro.as_view(), name="ticket-apply-macro"),
    path("macros/", MacroList.as_view(), name="macro-list"),
    path("macros/<str:pk>/", MacroDetail.as_view(), name="macro-detail"),
    path("teams/", TeamList.as_view(), name="team-list"),
    path("teams/<str:pk>/", TeamDetail.as_view(), name="team-detail"),
    path("agents/me/", AgentMe.as_view(), name="agent-me"),
    path("customers/", CustomerList.as_view(), name="customer-list"),  # docs/customers.md
]
