from django.urls import path

from helpdesk.placeholder import not_built_yet

app_name = "metrics"

urlpatterns = [
    path("", not_built_yet, name="dashboard"),
    path("me/", not_built_yet, name="agent_dashboard"),
]
