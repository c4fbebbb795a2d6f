from django.urls import path

from . import api

app_name = "integrations_api"

# Ids are matched as text and parsed by the views, so "abc" is a JSON 404, not an HTML page.
urlpatterns = [
    path("", api.WebhookList.as_view(), name="webhook-list"),
    path("<str:pk>/", api.WebhookDetail.as_view(), name="webhook-detail"),
    path("<str:pk>/deliveries/", api.WebhookDeliveries.as_view(), name="webhook-deliveries"),
]
