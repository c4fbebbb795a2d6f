from django.urls import path

from . import alerts_api, api
from .insights import api as insights_api

urlpatterns = [
    path("summary/", api.summary, name="metrics-summary"),
    path("breakdown/", api.breakdown, name="metrics-breakdown"),
    # Insights (docs/insights.md)
    path("drivers/", insights_api.key_drivers, name="metrics-drivers"),
    path("themes/", insights_api.comment_themes, name="metrics-themes"),
    # Alerts above the noise (docs/relationship-surveys.md).
    path("alerts/", alerts_api.AlertList.as_view(), name="metrics-alerts"),
    path("alerts/subscriptions/", alerts_api.SubscriptionList.as_view(),
         name="metrics-alert-subscriptions"),
    path("alerts/subscriptions/<int:pk>/", alerts_api.SubscriptionDetail.as_view(),
         name="metrics-alert-subscription"),
]
