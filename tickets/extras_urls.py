"""Pages of custom fields, time tracking and ticket links (part of the ``tickets`` namespace)."""

from django.urls import path

from .views import field_admin

urlpatterns = [
    path("fields/", field_admin.field_list, name="field_list"),
    path("fields/new/", field_admin.field_edit, name="field_new"),
    path("fields/<int:pk>/", field_admin.field_edit, name="field_edit"),
]
