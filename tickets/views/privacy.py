"""A customer's personal data from their page (docs/privacy.md): download everything
stored about them, or erase it after a confirmation. Admins only; anyone else is refused
with a message and the refusal is recorded in the audit log, as in the API."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit.models import Action
from audit.services import record
from helpdesk.permissions import is_admin, staff_required

from .. import privacy
from ..models import Customer


def _admin_or_refuse(request: HttpRequest, pk: int, refused: str) -> Customer:
    customer = get_object_or_404(Customer.objects.select_related("organization"), pk=pk)
    if not is_admin(request.user):
        record(action=refused, request=request,
               target={"type": "tickets.customer", "id": pk, "label": ""},
               detail={"reason": "not_admin"})
        raise PermissionDenied(_("Only administrators may export or erase a customer's "
                                 "personal data."))
    return customer


@staff_required(analysts=True)  # refused below, and recorded, like anyone not an admin
def export(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _admin_or_refuse(request, pk, Action.EXPORT_REFUSED)
    return privacy.export_response(customer=customer, request=request)


@require_http_methods(["GET", "POST"])
@staff_required(analysts=True)  # refused below, and recorded, like anyone not an admin
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _admin_or_refuse(request, pk, Action.ERASURE_REFUSED)
    if request.method == "POST":
        if request.POST.get("confirm", "").strip() != confirm_word(customer):
            return render(request, "tickets/customer_erase.html", {
                "customer": customer, "confirm_word": confirm_word(customer),
                "error": _("Type exactly what is shown to confirm."),
                "typed": request.POST.get("confirm", "")[:320]}, status=400)
        done = privacy.erase_customer(customer=customer)
        record(action=Action.ERASURE, request=request, target=privacy.audit_target(customer),
               detail={"sections": done})
        messages.success(request, _("The customer's personal data was erased. Their scores "
                                    "and ticket facts stay in the metrics without anything "
                                    "that identifies them."))
        return redirect("tickets:customer", pk=pk)
    return render(request, "tickets/customer_erase.html",
                  {"customer": customer, "confirm_word": confirm_word(customer)})


def confirm_word(customer: Customer) -> str:
    """What the admin types to confirm: the address, or ``#id`` for a caller without one."""
    return customer.email or f"#{customer.pk}"
