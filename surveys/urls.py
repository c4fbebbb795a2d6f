from django.urls import path

from helpdesk.placeholder import not_built_yet

app_name = "surveys"

urlpatterns = [
    path("follow-ups/", not_built_yet, name="followups"),
]
