"""Customer and organization pages (docs/customers.md): who they are, their tickets and,
through extension panels, their survey answers, follow-ups and health."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.permissions import is_admin, staff_required

from .. import policy
from ..models import Customer, Organization
from ..people_forms import CustomerForm, NoteForm, OrganizationForm
from ..services import people
from .detail_context import side_panels

LIST_LIMIT = 50


def _local_time(customer: Customer):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        zone = ZoneInfo(customer.time_zone) if customer.time_zone else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    return timezone.localtime(timezone.now(), zone) if zone else None


def _customer_page(request: HttpRequest, customer: Customer, *, form=None, note_form=None,
                   status: int = 200) -> HttpResponse:
    editable = policy.can_edit_people(request.user)
    tickets = list(policy.visible_tickets(request.user).filter(customer=customer)
                   .select_related("team", "assignee").order_by("-created_at")[:LIST_LIMIT + 1])
    return render(request, "tickets/customer.html", {
        "customer": customer, "local_time": _local_time(customer),
        "tickets": tickets[:LIST_LIMIT], "more_tickets": len(tickets) > LIST_LIMIT,
        "notes": customer.notes.select_related("author").order_by("-created_at")[:LIST_LIMIT],
        "editable": editable,
        "privacy_admin": is_admin(request.user),  # export and erasure (docs/privacy.md)
        "form": form or (CustomerForm(instance=customer) if editable else None),
        "note_form": note_form or NoteForm(),
        "panels": side_panels(request, customer, "HELPDESK_CUSTOMER_PANELS"),
    }, status=status)


def _customer(pk: int) -> Customer:
    return get_object_or_404(Customer.objects.select_related("organization"), pk=pk)


@staff_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _customer_page(request, _customer(pk))


@require_POST
@staff_required
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(pk)
    if not policy.can_edit_people(request.user):
        raise PermissionDenied
    form = CustomerForm(request.POST, instance=Customer.objects.get(pk=pk))
    if not form.is_valid():  # inline errors, what was typed kept
        return _customer_page(request, customer, form=form, status=400)
    people.update_customer(customer=customer, actor=request.user, values=form.cleaned_data)
    messages.success(request, _("Customer saved."))
    return redirect("tickets:customer", pk=pk)


@require_POST
@staff_required
def customer_note(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _customer_page(request, customer, note_form=form, status=400)
    people.add_customer_note(customer=customer, author=request.user,
                             body=form.cleaned_data["body"])
    messages.success(request, _("Note added."))
    return redirect("tickets:customer", pk=pk)


def _organization_page(request: HttpRequest, organization: Organization, *, form=None,
                       status: int = 200) -> HttpResponse:
    editable = policy.can_edit_people(request.user)
    customers = list(organization.customers.order_by("name", "email")[:LIST_LIMIT + 1])
    tickets = (policy.visible_tickets(request.user)
               .filter(customer__organization=organization)
               .select_related("customer", "team", "assignee").order_by("-created_at"))
    return render(request, "tickets/organization.html", {
        "organization": organization, "domains": list(organization.domains.all()),
        "customers": customers[:LIST_LIMIT], "more_customers": len(customers) > LIST_LIMIT,
        "tickets": tickets[:LIST_LIMIT], "editable": editable,
        "form": form or (OrganizationForm(instance=organization) if editable else None),
        "panels": side_panels(request, organization, "HELPDESK_ORGANIZATION_PANELS"),
    }, status=status)


@staff_required
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _organization_page(request, get_object_or_404(Organization, pk=pk))


@require_POST
@staff_required
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_object_or_404(Organization, pk=pk)
    if not policy.can_edit_people(request.user):
        raise PermissionDenied
    form = OrganizationForm(request.POST, instance=Organization.objects.get(pk=pk))
    if not form.is_valid():
        return _organization_page(request, organization, form=form, status=400)
    data = dict(form.cleaned_data)
    domains = data.pop("domains")
    people.update_organization(organization=organization, actor=request.user, values=data,
                               domains=domains)
    messages.success(request, _("Organization saved."))
    return redirect("tickets:organization", pk=pk)
