from django.urls import path

from . import api, renewal_api

app_name = "surveys_api"

urlpatterns = [
    path("responses/", api.ResponseList.as_view(), name="responses"),
    path("follow-ups/<int:pk>/renewal/", renewal_api.renewal, name="follow_up_renewal"),
]
