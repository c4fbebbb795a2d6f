"""Admins define custom ticket fields (docs/custom-fields.md)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from helpdesk.permissions import staff_required

from ..field_forms import CustomFieldForm
from ..models import CustomField
from ..services.custom_fields import may_define_fields


def _admin_only(request: HttpRequest) -> None:
    if not may_define_fields(request.user):
        raise PermissionDenied


@staff_required
def field_list(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    fields = CustomField.objects.prefetch_related("teams").order_by("position", "pk")
    return render(request, "tickets/extras/field_list.html", {"fields": fields})


@staff_required
def field_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _admin_only(request)
    field = get_object_or_404(CustomField, pk=pk) if pk else None
    form = CustomFieldForm(request.POST or None, instance=field)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("Field “%(label)s” saved.") % {"label": saved.label})
        return redirect("tickets:field_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "tickets/extras/field_form.html", {"form": form, "field": field},
                  status=status)
