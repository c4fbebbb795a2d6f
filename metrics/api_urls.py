from django.urls import path

from . import api

urlpatterns = [
    path("summary/", api.summary, name="metrics-summary"),
    path("breakdown/", api.breakdown, name="metrics-breakdown"),
]
