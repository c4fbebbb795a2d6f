"""One contact budget across every kind of survey (docs/relationship-surveys.md).

A person is asked at most once per contact window (``HELPDESK_CONTACT_WINDOW_DAYS``,
default 30): transactional invitations, relationship invitations and whatever other
sources ``HELPDESK_CONTACT_SOURCES`` names (in-chat ratings) all count. "Asked" means an
invitation went out (``sent_at``), not that it was answered.

Priority: the transactional survey of an important ticket (priority in
``HELPDESK_SURVEY_IMPORTANT_PRIORITIES``) counts only earlier *transactional* asks, so a
relationship wave never blocks it; a relationship invitation still scheduled for that
person is then skipped as ``preempted``. Every other survey counts every ask.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from tickets.models import Customer, Ticket

from ..models import Invitation, Kind

# Above this many ids, the invitations are read by id range (a wave's keyset batch).
RANGE_ABOVE = 100


def contact_window() -> timedelta:
    return timedelta(days=settings.HELPDESK_CONTACT_WINDOW_DAYS)


def last_asked(customer_ids: Iterable[int], since: datetime, *,
               kinds: Iterable[str] | None = None) -> dict[int, datetime]:
    """{customer id: latest ask at or after ``since``} for those asked; one query per
    source (invitation_customer_idx serves the invitations)."""
    ids = list(customer_ids)
    if not ids:
        return {}
    invitations = Invitation.objects.filter(sent_at__gte=since)
    if len(ids) > RANGE_ABOVE:
        # A wave's batch: one range of the index instead of thousands of parameters;
        # people in the range but not in the batch are dropped below.
        invitations = invitations.filter(customer_id__gte=min(ids), customer_id__lte=max(ids))
    else:
        invitations = invitations.filter(customer_id__in=ids)
    if kinds is not None:
        invitations = invitations.filter(kind__in=list(kinds))
    found = dict(invitations.order_by().values("customer_id").annotate(last=Max("sent_at"))
                 .values_list("customer_id", "last"))
    # Other ways of asking (in-chat ratings) are about a conversation: transactional.
    asked: Iterable[int] | QuerySet[Customer, Any] = ids  # ids, or a subquery of them
    if len(ids) > RANGE_ABOVE:  # a subquery, not thousands of parameters, for the sources too
        asked = Customer.objects.filter(pk__gte=min(ids), pk__lte=max(ids)).values("pk")
    for path in settings.HELPDESK_CONTACT_SOURCES:
        for customer_id, at in import_string(path)(asked, since).items():
            if at is not None and (customer_id not in found or at > found[customer_id]):
                found[customer_id] = at
    if len(ids) > RANGE_ABOVE:  # people of the range outside the batch
        wanted = set(ids)
        found = {pk: at for pk, at in found.items() if pk in wanted}
    return found


def may_contact(person: Customer | int, now: datetime | None = None, *,
                important: bool = False) -> bool:
    """May ``person`` (a Customer, or its id) be asked for feedback at ``now``?

    The one question every way of asking calls before it asks. ``important`` is the
    transactional survey of an important ticket, which only earlier transactional asks
    block (module docstring)."""
    now = now or timezone.now()
    person_id = person if isinstance(person, int) else person.pk
    kinds = [Kind.TRANSACTIONAL] if important else None
    return person_id not in last_asked([person_id], now - contact_window(), kinds=kinds)


def is_important(ticket: Ticket | None) -> bool:
    return ticket is not None and ticket.priority in settings.HELPDESK_SURVEY_IMPORTANT_PRIORITIES


def preempt_relationship(*, customer_id: int) -> int:
    """An important ticket's survey goes first: the person's scheduled relationship
    invitations give way (skipped, reason kept)."""
    return Invitation.objects.filter(
        customer_id=customer_id, kind=Kind.RELATIONSHIP, status=Invitation.Status.SCHEDULED,
    ).update(status=Invitation.Status.SKIPPED, skip_reason=Invitation.SkipReason.PREEMPTED)
