from django.urls import path

from helpdesk.placeholder import not_built_yet

app_name = "portal"

urlpatterns = [
    path("", not_built_yet, name="home"),
    path("new/", not_built_yet, name="new"),
]
