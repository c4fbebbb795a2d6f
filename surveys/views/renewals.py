"""The renewal outcome of a follow-up, from the revenue-at-risk page (docs/insights.md)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.permissions import staff_required

from .. import queries
from ..services.renewals import record_renewal


@require_POST
@staff_required(managers_only=True)
def follow_up_renewal(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(queries.visible_follow_ups(request.user), pk=pk)
    try:
        record_renewal(follow_up=follow_up, outcome=request.POST.get("outcome", ""),
                       user=request.user)
        messages.success(request, _("Renewal outcome saved."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return redirect(target)
    return redirect("metrics:revenue_at_risk")
