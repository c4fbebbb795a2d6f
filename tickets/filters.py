"""Query-string filters of the ticket list API. Every value is validated by a form
field, so a bad value is a 400 naming the parameter, never a 500."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.core.validators import validate_email
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from helpdesk.api import parse_id
from helpdesk.params import IsoDateTimeParamFilter

from . import search
from .models import PRIORITY_RANK, STATUS_RANK, Channel, Ticket


class ChoiceInFilter(filters.BaseInFilter, filters.ChoiceFilter):
    """``?status=open,pending``: a comma-separated list of choices."""


class IdOrKeywordField(forms.CharField):
    """An id, or one of a few keywords such as "me" and "none"."""

    def __init__(self, *, keywords: tuple[str, ...] = (), **kwargs):
        self.keywords = keywords
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        if value.lower() in self.keywords:
            return value.lower()
        ident = parse_id(value)
        if ident is None:
            words = " or ".join(f'"{k}"' for k in self.keywords)
            raise forms.ValidationError(
                _("Enter an id or %(words)s.") % {"words": words} if words else _("Enter an id."),
                code="invalid",
            )
        return ident


class CustomerRefField(forms.CharField):
    """A customer id or email address."""

    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        ident = parse_id(value)
        if ident is not None:
            return ident
        try:
            validate_email(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("Enter a customer id or email address."), code="invalid"
            ) from None
        return value


@extend_schema_field(OpenApiTypes.STR)
class IdOrKeywordFilter(filters.Filter):
    field_class = IdOrKeywordField


@extend_schema_field(OpenApiTypes.STR)
class CustomerRefFilter(filters.Filter):
    field_class = CustomerRefField


# Priority and status sort by their meaning (urgent above low, the lifecycle order),
# not alphabetically, along their rank indexes (docs/performance.md).
RANKED = {"priority": PRIORITY_RANK, "status": STATUS_RANK}


class TicketOrdering(filters.OrderingFilter):
    def filter(self, qs: QuerySet, value):
        if not value:
            return qs
        ordering = []
        for param in value:
            field = self.get_ordering_value(param)
            descending = field.startswith("-")
            name = field.lstrip("-")
            if name in RANKED:
                qs = qs.alias(**{f"{name}_rank": RANKED[name]})
                name = f"{name}_rank"
            ordering.append(f"-{name}" if descending else name)
        # A unique last key keeps pages stable when many tickets share a value.
        if not any(o.lstrip("-") == "id" for o in ordering):
            ordering.append("-id" if ordering[-1].startswith("-") else "id")
        return qs.order_by(*ordering)


class TicketFilter(filters.FilterSet):
    status = ChoiceInFilter(choices=Ticket.Status.choices,
                            help_text=_("One status or several, separated by commas."))
    channel = ChoiceInFilter(choices=Channel.choices,
                             help_text=_("One channel or several, separated by commas."))
    priority = ChoiceInFilter(choices=Ticket.Priority.choices,
                              help_text=_("One priority or several, separated by commas."))
    team = IdOrKeywordFilter(method="filter_team", keywords=("none",),
                             help_text=_('A team id, or "none" for tickets without a team.'))
    assignee = IdOrKeywordFilter(
        method="filter_assignee", keywords=("me", "none"),
        help_text=_('A staff user id, "me" for yourself, or "none" for unassigned tickets.'),
    )
    customer = CustomerRefFilter(method="filter_customer",
                                 help_text=_("A customer id or email address."))
    q = filters.CharFilter(method="filter_q", max_length=200,
                           help_text=_("Full-text search in subject, customer and messages."))
    created_after = IsoDateTimeParamFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeParamFilter(field_name="created_at", lookup_expr="lt")
    ordering = TicketOrdering(
        fields=("created_at", "updated_at", "priority", "status", "id"),
        help_text=_("Sort by created_at, updated_at, priority, status or id; "
                    "prefix with - for descending."),
    )

    class Meta:
        model = Ticket
        fields: list[str] = []

    def filter_team(self, qs: QuerySet, name: str, value):
        return qs.filter(team__isnull=True) if value == "none" else qs.filter(team_id=value)

    def filter_assignee(self, qs: QuerySet, name: str, value):
        if value == "none":
            return qs.filter(assignee__isnull=True)
        if value == "me":
            return qs.filter(assignee_id=self.request.user.pk)
        return qs.filter(assignee_id=value)

    def filter_customer(self, qs: QuerySet, name: str, value):
        if isinstance(value, int):
            return qs.filter(customer_id=value)
        return qs.filter(Q(customer__email__iexact=value))

    def filter_q(self, qs: QuerySet, name: str, value: str):
        return search.filter_tickets(qs, value)
