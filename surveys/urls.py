from django.urls import path

from .views import public, renewals, staff

app_name = "surveys"

urlpatterns = [
    # Customers, from the survey email (signed tokens, no login).
    path("r/<str:token>/", public.answer, name="answer"),
    path("unsubscribe/<str:token>/", public.unsubscribe, name="unsubscribe"),
    path("a/<str:token>/", public.ask, name="ask"),
    # Staff.
    path("follow-ups/", staff.followups, name="followups"),
    path("follow-ups/<int:pk>/close/", staff.close_followup, name="close_followup"),
    path("follow-ups/<int:pk>/renewal/", renewals.follow_up_renewal, name="follow_up_renewal"),
    path("programs/", staff.programs, name="programs"),
    path("programs/new/", staff.edit_program, name="new_program"),
    path("programs/<int:pk>/", staff.edit_program, name="edit_program"),
    path("programs/<int:pk>/preview/", staff.program_preview, name="program_preview"),
    path("programs/<int:pk>/contacts/", staff.program_contacts, name="program_contacts"),
    path("responses.csv", staff.export_responses, name="export"),
    path("tickets/<int:pk>/scores/", staff.ticket_scores, name="ticket_scores"),
]
