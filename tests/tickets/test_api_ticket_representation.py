"""The API's ticket representation is built by hand for speed (docs/performance.md); it
must say exactly what DRF's generic serializer path says, for every kind of ticket."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tests.factories import CustomerFactory, OrganizationFactory, TicketFactory
from tests.tickets.custom_field_fixtures import *  # noqa: F403
from tickets import services
from tickets.api.tickets import api_tickets
from tickets.models import BusinessCalendar, SLAPolicy, Tag, Ticket, TicketSLA
from tickets.serializers import TicketSerializer


def _both(manager, ticket_ids):
    serializer = TicketSerializer()
    for ticket in api_tickets(manager).filter(pk__in=ticket_ids).order_by("pk"):
        yield serializer.to_representation(ticket), serializer.generic_representation(ticket)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Helsinki"])
def test_hand_built_representation_equals_the_generic_one(manager, team, agent, all_fields,
                                                          zone):
    now = timezone.now()
    org = OrganizationFactory(name="Acme", tier="enterprise")
    bare = TicketFactory(customer=CustomerFactory(), team=None, assignee=None)
    rich = TicketFactory(customer=CustomerFactory(organization=org), team=team, assignee=agent,
                         priority="urgent", status="solved", channel="chat",
                         first_response_at=now - timedelta(hours=2), solved_at=now,
                         waiting_since=now - timedelta(minutes=5), reopen_count=2,
                         public_reply_count=3, follows_up=bare, merged_into=bare)
    rich.tags.add(Tag.objects.create(name="refund"), Tag.objects.create(name="vip"))
    policy = SLAPolicy.objects.create(name="Gold", calendar=BusinessCalendar.objects.create(
        name="Office hours"))
    TicketSLA.objects.create(ticket=rich, policy=policy, resolution_due_at=now,
                             first_response_due_at=now - timedelta(hours=1),
                             first_response_breached=True, first_response_business_seconds=61)
    no_policy = TicketFactory(customer=CustomerFactory(), team=team)
    TicketSLA.objects.create(ticket=no_policy)
    services.apply_ticket_changes(ticket=rich, actor=None, source="api", changes={"fields": {
        "product": "printer", "areas": ["ui", "billing"], "hours": "1.5", "warranty": True,
        "bought_on": "2026-01-02", "serial": "X-1"}})
    with timezone.override(zone), translation.override("fi"):
        pairs = list(_both(manager, [bare.pk, rich.pk, no_policy.pk]))
    assert len(pairs) == 3
    for fast, generic in pairs:
        assert fast == generic
        assert list(fast) == list(generic)  # the same keys in the same order
    assert pairs[1][0]["custom_fields"]["areas"] == ["billing", "ui"]
    assert pairs[0][0]["sla"]["policy"] is None and pairs[1][0]["sla"]["policy"]["name"] == "Gold"


def test_a_ticket_without_prefetching_serializes_the_same(manager, team):
    ticket = TicketFactory(customer=CustomerFactory(), team=team)
    plain = Ticket.objects.get(pk=ticket.pk)
    serializer = TicketSerializer()
    assert serializer.to_representation(plain) == serializer.generic_representation(plain)
