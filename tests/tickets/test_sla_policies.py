"""Which SLA policy applies: ordered rules, empty conditions match anything."""

import pytest

from tests.factories import CustomerFactory, OrganizationFactory, TicketFactory
from tickets.models import BusinessCalendar, Organization, SLAPolicy
from tickets.services.sla import match_policy


@pytest.fixture
def calendar(db):
    return BusinessCalendar.objects.get(is_default=True)


@pytest.fixture
def premium_ticket(db, team):
    organization = OrganizationFactory(tier=Organization.Tier.PREMIUM)
    return TicketFactory(customer=CustomerFactory(organization=organization), team=team,
                         priority="normal", channel="chat")


def test_the_default_policy_of_the_priority_matches(premium_ticket):
    assert match_policy(premium_ticket).name == "Normal"


def test_an_earlier_matching_rule_wins(premium_ticket, calendar):
    rule = SLAPolicy.objects.create(name="Premium chat", position=1, tiers=["premium"],
                                    channels=["chat"], calendar=calendar)
    assert match_policy(premium_ticket) == rule


def test_an_inactive_rule_is_skipped(premium_ticket, calendar):
    SLAPolicy.objects.create(name="Off", position=1, active=False, calendar=calendar)
    assert match_policy(premium_ticket).name == "Normal"


def test_a_tier_rule_does_not_match_a_customer_without_organization(team, calendar):
    SLAPolicy.objects.create(name="Premium", position=1, tiers=["premium"], calendar=calendar)
    assert match_policy(TicketFactory(team=team, priority="normal")).name == "Normal"


def test_a_channel_rule_does_not_match_another_channel(premium_ticket, calendar):
    SLAPolicy.objects.create(name="Phone", position=1, channels=["phone"], calendar=calendar)
    assert match_policy(premium_ticket).name == "Normal"


def test_a_team_rule_matches_only_its_teams(premium_ticket, calendar, team, other_team):
    rule = SLAPolicy.objects.create(name="Billing", position=1, calendar=calendar)
    rule.teams.add(other_team)
    assert match_policy(premium_ticket).name == "Normal"
    rule.teams.add(team)
    assert match_policy(premium_ticket) == rule


def test_no_policy_when_nothing_matches(premium_ticket):
    SLAPolicy.objects.all().delete()
    assert match_policy(premium_ticket) is None


def test_a_ticket_without_policy_still_gets_measured(customer, agent, team):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tickets import services

    SLAPolicy.objects.all().delete()
    at = datetime(2026, 11, 23, 9, tzinfo=ZoneInfo("Europe/Helsinki"))
    ticket = services.create_ticket(services.NewTicket(
        subject="x", body="y", customer=customer, team=team
    ), now=at)
    services.reply_to_ticket(ticket=ticket, agent=agent, body="z", now=at.replace(hour=10))
    assert ticket.sla.first_response_due_at is None
    ticket.sla.refresh_from_db()
    assert ticket.sla.first_response_business_seconds == 3600
