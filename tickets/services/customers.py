from __future__ import annotations

from django.db import IntegrityError, transaction

from ..models import Customer, OrganizationDomain


def organization_for_email(email: str):
    domain = email.rsplit("@", 1)[-1].strip().lower()
    match = OrganizationDomain.objects.filter(domain=domain).select_related("organization").first()
    return match.organization if match else None


def get_or_create_customer(*, email: str, name: str = "", language: str = "") -> Customer:
    """The customer with this address (case-insensitive), created on first contact.

    A new customer joins the organization that owns the address's domain. A name
    given later fills an empty name but never overwrites one.
    """
    email = email.strip()
    customer = Customer.objects.filter(email__iexact=email).first()
    if customer is None:
        try:
            with transaction.atomic():
                customer = Customer.objects.create(
                    email=email,
                    name=name.strip()[:200],
                    language=language if language in ("en", "fi") else "en",
                    organization=organization_for_email(email),
                )
        except IntegrityError:  # created concurrently by another request
            customer = Customer.objects.get(email__iexact=email)
        return customer
    if name and not customer.name:
        customer.name = name.strip()[:200]
        customer.save(update_fields=["name"])
    return customer
