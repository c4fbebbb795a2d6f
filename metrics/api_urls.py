from django.urls import path

from . import api
from .insights import api as insights_api

urlpatterns = [
    path("summary/", api.summary, name="metrics-summary"),
    path("breakdown/", api.breakdown, name="metrics-breakdown"),
    # Insights (docs/insights.md)
    path("drivers/", insights_api.key_drivers, name="metrics-drivers"),
    path("themes/", insights_api.comment_themes, name="metrics-themes"),
]
