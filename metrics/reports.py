"""The churn report, the organization import and the digest preference."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .filters import PRESETS
from .forms import OrganizationImportForm
from .importer import import_organizations
from .models import DigestOptOut
from .queries.churn import churn_by_nps_category, churn_by_period
from .views import manager_required, request_filters


def month_periods(start, end) -> list:
    """Calendar months covering [start, end), as (first day, first day of next month)."""
    periods, day = [], start.replace(day=1)
    while day < end:
        following = (day + timedelta(days=32)).replace(day=1)
        periods.append((day, following))
        day = following
    return periods


@manager_required
@require_http_methods(["GET", "POST"])
def churn(request: HttpRequest) -> HttpResponse:
    form = OrganizationImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = import_organizations(form.cleaned_data["file"])
        messages.success(request, _("%(n)d organizations updated.") % {"n": result.updated})
        for error in result.errors[:20]:
            messages.error(request, error)
        return redirect("metrics:churn")
    try:
        f = request_filters(request)
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    start, end = timezone.localtime(f.start).date(), timezone.localtime(f.end).date()
    context = {
        "filters": f, "params": f.query_params(), "form": form, "presets": PRESETS,
        "periods": churn_by_period(month_periods(start, end)),
        "categories": churn_by_nps_category(start, end, responses_from=f.start - timedelta(
            days=365), responses_to=f.end),
    }
    return render(request, "metrics/churn.html", context)


@manager_required
@require_http_methods(["GET", "POST"])
def digest_preference(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("weekly_digest") == "on":
            DigestOptOut.objects.filter(user=request.user).delete()
        else:
            DigestOptOut.objects.get_or_create(user=request.user)
        messages.success(request, _("Your weekly digest preference was saved."))
        return redirect("metrics:digest_preference")
    opted_out = DigestOptOut.objects.filter(user=request.user).exists()
    return render(request, "metrics/digest_preference.html", {"opted_out": opted_out})
