"""Pages of custom fields, time tracking and ticket links (part of the ``tickets`` namespace)."""

from django.urls import path

from .views import field_admin, time_report, worklog

urlpatterns = [
    path("fields/", field_admin.field_list, name="field_list"),
    path("fields/new/", field_admin.field_edit, name="field_new"),
    path("fields/<int:pk>/", field_admin.field_edit, name="field_edit"),
    path("tickets/<int:pk>/time/", worklog.log_time, name="time_log"),
    path("tickets/<int:pk>/time/timer/", worklog.timer, name="time_timer"),
    path("time/<int:pk>/delete/", worklog.delete_time, name="time_delete"),
    path("time/report/", time_report.report, name="time_report"),
    path("tickets/<int:pk>/links/", worklog.add_link, name="link_add"),
    path("tickets/<int:pk>/links/<int:link_pk>/delete/", worklog.remove_link,
         name="link_remove"),
    path("tickets/<int:pk>/solve_incidents/", worklog.solve_incidents, name="solve_incidents"),
]
