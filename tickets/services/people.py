"""Changes made on the customer and organization pages (docs/customers.md)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.models import User

from .. import policy
from ..models import Customer, CustomerNote, Organization, OrganizationDomain

CUSTOMER_FIELDS = ("name", "email", "phone", "language", "time_zone", "organization")
ORGANIZATION_FIELDS = ("name", "tier", "annual_revenue", "active_since", "churned_at")


def _require_editor(actor: User) -> None:
    if not policy.can_edit_people(actor):
        raise PermissionDenied(_("Only managers may change customers and organizations."))


@transaction.atomic
def update_customer(*, customer: Customer, actor: User, values: dict) -> Customer:
    """Set the customer's contact details (values already validated by CustomerForm)."""
    _require_editor(actor)
    changed = [name for name in CUSTOMER_FIELDS
               if name in values and getattr(customer, name) != values[name]]
    for name in changed:
        setattr(customer, name, values[name])
    if changed:
        customer.save(update_fields=changed)
    return customer


@transaction.atomic
def update_organization(*, organization: Organization, actor: User, values: dict,
                        domains: list[str] | None = None) -> Organization:
    """Set the organization's facts and, when given, exactly these email domains."""
    _require_editor(actor)
    changed = [name for name in ORGANIZATION_FIELDS
               if name in values and getattr(organization, name) != values[name]]
    for name in changed:
        setattr(organization, name, values[name])
    if changed or organization.pk is None:
        organization.save()
    if domains is not None:
        organization.domains.exclude(domain__in=domains).delete()
        have = set(organization.domains.values_list("domain", flat=True))
        OrganizationDomain.objects.bulk_create(
            [OrganizationDomain(organization=organization, domain=d)
             for d in domains if d not in have])
    return organization


def add_customer_note(*, customer: Customer, author: User, body: str) -> CustomerNote:
    if not policy.can_view_people(author):
        raise PermissionDenied(_("Only support staff may do this."))
    return CustomerNote.objects.create(customer=customer, author=author, body=body.strip(),
                                       created_at=timezone.now())
