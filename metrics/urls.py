from django.urls import path

from . import exports, people_views, reports, views
from .insights import views as insights

app_name = "metrics"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("me/", views.agent_dashboard, name="agent_dashboard"),
    path("responses/", exports.responses, name="responses"),
    path("export/<str:by>.csv", exports.export_table, name="export"),
    path("churn/", reports.churn, name="churn"),
    path("digest/", reports.digest_preference, name="digest_preference"),
    path("digest/preview/", reports.digest_preview, name="digest_preview"),
    # Insights (docs/insights.md)
    path("drivers/", insights.key_drivers, name="drivers"),
    path("themes/", insights.comment_themes, name="themes"),
    path("revenue-at-risk/", insights.revenue_at_risk, name="revenue_at_risk"),
    # Relationship NPS, organizations by risk, alerts (docs/relationship-surveys.md).
    path("relationship/", people_views.relationship_dashboard, name="relationship"),
    path("organizations/risk/", people_views.organizations_at_risk,
         name="organizations_at_risk"),
    path("alerts/", people_views.alerts, name="alerts"),
    path("alerts/badge/", people_views.alerts_badge, name="alerts_badge"),
    path("alerts/<int:pk>/delete/", people_views.delete_subscription,
         name="delete_alert_subscription"),
]
