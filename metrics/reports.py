"""The churn report, the organization import and the digest preference."""

from __future__ import annotations

import copy
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from helpdesk.email_preview import email_document, preview_language

from .digest import digest_context, last_week, recipients, render_digest
from .filters import PRESETS
from .forms import OrganizationImportForm
from .importer import import_organizations
from .models import DigestOptOut
from .queries.churn import churn_by_nps_category, churn_by_period
from .views import filter_error_context, filters_or_errors, manager_required


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
    f, errors = filters_or_errors(request.GET, me_id=request.user.pk)
    start, end = timezone.localtime(f.start).date(), timezone.localtime(f.end).date()
    context = {
        "filters": f, "params": f.query_params(), "form": form, "presets": PRESETS,
        "periods": churn_by_period(month_periods(start, end)),
        "categories": churn_by_nps_category(start, end, responses_from=f.start - timedelta(
            days=365), responses_to=f.end),
        **filter_error_context(request, errors),
    }
    return render(request, "metrics/churn.html", context, status=400 if errors else 200)


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


@manager_required
def digest_preview(request: HttpRequest) -> HttpResponse:
    """This week's digest as the signed-in manager would receive it (``?lang=`` for another
    language; ``?format=html`` the email's own HTML document, which the page frames)."""
    language = preview_language(request)
    reader = copy.copy(request.user)
    reader.language = language
    subject, text, html = render_digest(reader, digest_context(last_week()))
    if request.GET.get("format") == "html":
        return email_document(html)
    return render(request, "metrics/digest_preview.html", {
        "subject": subject, "text": text, "preview_language": language,
        "languages": settings.LANGUAGES, "recipients": recipients().count(),
    })
