from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from helpdesk.prepared import Prepared

from ..models import Customer, Organization, OrganizationDomain

# Every mail asks for its sender, every new sender for their domain's organization: the
# SQL of both is built once per process (helpdesk/prepared.py). On SQLite ``iexact`` is a
# LIKE with the address escaped, and Prepared runs that query as it is.
_domain = Prepared(lambda domain: OrganizationDomain.objects.filter(domain=domain)
                   .select_related("organization"), text=True)
_customer = Prepared(lambda email: Customer.objects.filter(email__iexact=email), text=True)


def _by_addresses(keys: set[str] | list[str]) -> QuerySet[Customer]:
    """The customers of these upper-case ASCII addresses: ``UPPER(email) IN (…)``, which
    PostgreSQL answers from one scan (``customer_email_upper_idx``). The same question as
    ``Q(email__iexact=a) | Q(email__iexact=b) | …`` for ASCII addresses, which it tested
    row by row, fifty ``UPPER()`` comparisons each: 16 ms per intake batch against 0.6
    (docs/performance.md, "Email intake", fifth round)."""
    return Customer.objects.annotate(email_upper=Upper("email")).filter(
        email_upper__in=sorted(keys))


def _domain_of(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


def _new_fields(name: str, language: str) -> dict[str, str]:
    """A new customer's name and language as stored."""
    return {"name": name.strip()[:200], "language": language if language in ("en", "fi") else "en"}


def organization_for_email(email: str) -> Organization | None:
    match = _domain.first(_domain_of(email))
    return match.organization if match else None


_ASK = object()  # not known beforehand: ask the database


def get_or_create_customer(*, email: str, name: str = "", language: str = "",
                           found: Customer | None | object = _ASK,
                           organization: Organization | None | object = _ASK) -> Customer:
    """The customer with this address (case-insensitive), created on first contact.

    A new customer joins the organization that owns the address's domain. A name
    given later fills an empty name but never overwrites one.

    ``found`` and ``organization``: the customer with this address (None: there is none)
    and their domain's organization when the caller has read them already, as the email
    intake does for a batch of mails (``CustomerLookup``).
    """
    email = email.strip()
    customer = _customer.first(email) if found is _ASK else found
    if customer is None:
        org = organization_for_email(email) if organization is _ASK else organization
        assert org is None or isinstance(org, Organization)
        try:
            with transaction.atomic():
                customer = Customer.objects.create(email=email, organization=org,
                                                   **_new_fields(name, language))
        except IntegrityError:  # created concurrently by another request
            customer = Customer.objects.get(email__iexact=email)
        return customer
    assert isinstance(customer, Customer)
    if name and not customer.name:
        customer.name = name.strip()[:200]
        customer.save(update_fields=["name"])
    return customer


class CustomerLookup:
    """The customers of many addresses and the organizations of their domains, each read
    in one query, and the new ones written in one INSERT (docs/performance.md, "Email
    intake"). Only ASCII addresses are handled this way: for them ``iexact`` (UPPER() on
    PostgreSQL, LIKE on SQLite) and Python's ``upper()`` agree; any other address is
    asked alone, as before.

    ``reserve`` inserts the customers no address has yet, in one INSERT at the start of
    the batch's transaction and in address order: two batches that both meet a new
    address wait for each other there instead of deadlocking later. A reserved customer
    is *claimed* by the first mail that would have created it (with that mail's name
    and language), released again when that mail rolls back, and deleted at the end
    (``drop_unclaimed``) when no mail of the batch claimed it, so the customers written
    are those the mails one by one would have written.
    """

    def __init__(self, emails: list[str]) -> None:
        wanted = {e.strip().upper() for e in emails if e and e.strip().isascii()}
        self.customers: dict[str, Customer | None] = dict.fromkeys(wanted)
        if wanted:
            for customer in _by_addresses(wanted):
                self.customers[customer.email.upper()] = customer
        domains = {_domain_of(e) for e in wanted if self.customers.get(e) is None}
        self.organizations: dict[str, Organization | None] = dict.fromkeys(domains)
        if domains:
            for match in (OrganizationDomain.objects.filter(domain__in=domains)
                          .select_related("organization")):
                self.organizations[match.domain] = match.organization
        self.unclaimed: dict[str, tuple[str, str]] = {}  # reserved: (name, language)
        self._claimed: list[str] = []  # by the mail being written

    def reserve(self, people: dict[str, tuple[str, str, str]]) -> None:
        """Insert a customer for each new address: {address: (email, name, language)}.

        Should another batch have created one of them meanwhile (this INSERT waited for
        its commit), the ones it created are read and the rest inserted again, still in
        address order: creating them mail by mail instead, in the mails' order, while
        another batch inserts in address order, deadlocked (docs/performance.md,
        "Email intake", fourth round). After a few tries each mail asks alone."""
        for _attempt in range(3):
            new = self._new_customers(people)
            if not new:
                return
            try:
                with transaction.atomic():
                    Customer.objects.bulk_create(new)
            except IntegrityError:  # one of them created meanwhile: read those, try again
                self._read_again([c.email.upper() for c in new])
                continue
            self._reserved(new)
            return
        for customer in self._new_customers(people):  # still refused: each mail asks alone
            self.customers.pop(customer.email.upper(), None)

    def _new_customers(self, people: dict[str, tuple[str, str, str]]) -> list[Customer]:
        new = []
        for key in sorted(people):
            if key in self.customers and self.customers[key] is None:
                email, name, language = people[key]
                email = email.strip()
                new.append(Customer(email=email, **_new_fields(name, language),
                                    organization=self.organizations.get(_domain_of(email))))
        return new

    def _read_again(self, keys: list[str]) -> None:
        for customer in _by_addresses(keys):
            self.customers[customer.email.upper()] = customer

    def _reserved(self, new: list[Customer]) -> None:
        for customer in new:
            key = customer.email.upper()
            self.customers[key] = customer
            self.unclaimed[key] = (customer.name, customer.language)

    def get_or_create(self, *, email: str, name: str = "", language: str = "") -> Customer:
        key = email.strip().upper()
        if key not in self.customers:
            return get_or_create_customer(email=email, name=name, language=language)
        customer = self.customers[key]
        if customer is not None and key in self.unclaimed:
            # The first mail to use a reserved customer is the one that would have created it.
            self.unclaimed.pop(key)
            self._claimed.append(key)
            fields = _new_fields(name, language)
            changed = [f for f, value in fields.items() if getattr(customer, f) != value]
            for field in changed:
                setattr(customer, field, fields[field])
            if changed:
                customer.save(update_fields=changed)
            return customer
        customer = get_or_create_customer(
            email=email, name=name, language=language, found=customer,
            organization=self.organizations.get(_domain_of(email), _ASK))
        self.customers[key] = customer
        return customer

    def is_unclaimed(self, email: str) -> bool:
        return email.strip().upper() in self.unclaimed

    def written(self) -> None:
        self._claimed.clear()

    def stale(self, email: str) -> None:
        """This address's customer changed in the database (a bounce): read it again."""
        key = email.strip().upper()
        if key not in self.unclaimed:
            self.customers.pop(key, None)

    def forget(self, email: str) -> None:
        """Ask the database again for this address (after a rolled-back write); a
        reserved customer this mail had claimed is unclaimed again, as it was."""
        key = email.strip().upper()
        for claimed in self._claimed:
            customer = self.customers[claimed]
            assert customer is not None
            customer.refresh_from_db(fields=["name", "language"])
            self.unclaimed[claimed] = (customer.name, customer.language)
        if key not in self._claimed:
            self.customers.pop(key, None)
        self._claimed.clear()

    def drop_unclaimed(self) -> None:
        """Delete the reserved customers no mail of the batch used."""
        if self.unclaimed:
            pks = [c.pk for key in self.unclaimed if (c := self.customers.get(key)) is not None]
            # Rows this transaction inserted and nothing refers to: no cascade to collect.
            Customer.objects.filter(pk__in=pks)._raw_delete(Customer.objects.db)
            self.unclaimed.clear()


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
