from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from helpdesk.prepared import Prepared

from ..models import Customer, Organization, OrganizationDomain

# Every mail asks for its sender, every new sender for their domain's organization: the
# SQL of both is built once per process (helpdesk/prepared.py). On SQLite ``iexact`` is a
# LIKE with the address escaped, and Prepared runs that query as it is.
_domain = Prepared(lambda domain: OrganizationDomain.objects.filter(domain=domain)
                   .select_related("organization"), text=True)
_customer = Prepared(lambda email: Customer.objects.filter(email__iexact=email), text=True)


def organization_for_email(email: str) -> Organization | None:
    domain = email.rsplit("@", 1)[-1].strip().lower()
    match = _domain.first(domain)
    return match.organization if match else None


def get_or_create_customer(*, email: str, name: str = "", language: str = "") -> Customer:
    """The customer with this address (case-insensitive), created on first contact.

    A new customer joins the organization that owns the address's domain. A name
    given later fills an empty name but never overwrites one.
    """
    email = email.strip()
    customer = _customer.first(email)
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


def normalize_phone(raw: str) -> str:
    """"+358 (40) 123-4567" → "+358401234567"; "" when it is not a phone number.

    Stored in this one form so that a second call from the same number finds
    the same customer however the agent typed it."""
    text = (raw or "").strip()
    if not text or re.search(r"[^\d\s().+-]", text) or "+" in text[1:]:
        return ""
    digits = re.sub(r"\D", "", text)
    if not 5 <= len(digits) <= 20:
        return ""
    return ("+" if text.startswith("+") else "") + digits


def get_or_create_caller(*, email: str = "", phone: str = "", name: str = "") -> Customer:
    """The customer of a phone call: by email when given, else by phone number.

    A number given beside an email fills the customer's empty phone. A caller
    known by phone alone is a customer without an email address (surveys and
    notifications skip them).
    """
    phone = normalize_phone(phone)
    if email.strip():
        customer = get_or_create_customer(email=email, name=name)
        if phone and not customer.phone:
            customer.phone = phone
            customer.save(update_fields=["phone"])
        return customer
    if not phone:
        raise ValidationError({"customer_phone": _("Enter a phone number or an email address.")},
                              code="required")
    caller = Customer.objects.filter(phone=phone).order_by("pk").first()
    if caller is None:
        return Customer.objects.create(email="", phone=phone, name=name.strip()[:200])
    if name and not caller.name:
        caller.name = name.strip()[:200]
        caller.save(update_fields=["name"])
    return caller


def set_survey_opt_out(*, customer: Customer, opted_out: bool) -> Customer:
    """Record the customer's wish to get (or not get) satisfaction surveys."""
    if customer.survey_opt_out != opted_out:
        customer.survey_opt_out = opted_out
        customer.save(update_fields=["survey_opt_out"])
    return customer


def update_organization_account(
    *,
    organization: Organization,
    annual_revenue: Decimal | None = None,
    active_since: date | None = None,
    churned_at: date | None = None,
) -> Organization:
    """Set an organization's account facts (revenue, customer since, churned on).

    Used by the metrics churn import; a None leaves the stored value unchanged.
    """
    from django.core.exceptions import ValidationError

    fields = {"annual_revenue": annual_revenue, "active_since": active_since,
              "churned_at": churned_at}
    changed = [name for name, value in fields.items() if value is not None]
    for name in changed:
        setattr(organization, name, fields[name])
    if organization.active_since and organization.churned_at \
            and organization.churned_at < organization.active_since:
        raise ValidationError({"churned_at": "The churn date is before the customer-since date."})
    if changed:
        organization.save(update_fields=changed)
    return organization


def mark_customer_bounced(*, address: str, at: datetime) -> int:
    """Stop emailing this address: surveys and notifications skip bounced customers.
    Only customers we already know are marked: a bounce never creates anyone."""
    return Customer.objects.filter(email__iexact=address, bounced=False).update(
        bounced=True, bounced_at=at)
