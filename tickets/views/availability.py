"""The availability control of the top bar: available, away or offline."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from helpdesk.permissions import staff_required

from ..services import assignment
from .queue import safe_next


@require_POST
@staff_required
def set_availability(request: HttpRequest) -> HttpResponse:
    error = ""
    try:
        assignment.set_availability(agent=request.user,
                                    availability=request.POST.get("availability", ""))
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        return render(request, "tickets/_availability.html", {"availability_error": error},
                      status=400 if error else 200)
    if error:
        messages.error(request, error)
    return redirect(safe_next(request, "/"))
