from django.urls import path

from . import api

app_name = "surveys_api"

urlpatterns = [
    path("responses/", api.ResponseList.as_view(), name="responses"),
]
