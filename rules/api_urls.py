from django.urls import path

from .api import RuleDetail, RuleListCreate

app_name = "rules_api"

urlpatterns = [
    path("rules/", RuleListCreate.as_view(), name="rule-list"),
    path("rules/<str:pk>/", RuleDetail.as_view(), name="rule-detail"),
]
