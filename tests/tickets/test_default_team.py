"""Every ticket belongs to a team from the moment it exists (docs/teams.md).

Each intake path is walked as an agent of the default team: the ticket must open for
them (200, not 404) and be counted in their Unassigned queue.
"""

import importlib
import json
from email.message import EmailMessage

import pytest
from django.apps import apps
from django.urls import reverse
from rest_framework.test import APIClient

from identity.tokens import create_api_token
from tests.factories import CustomerFactory, TeamFactory
from tests.sidebar import queue_counts as sidebar_counts
from tickets import services
from tickets.api.intake import signature_of
from tickets.intake.receive import receive_raw
from tickets.models import ChannelDefault, ReceivingAddress, Team, Ticket
from tickets.portal import auth
from tickets.routing import default_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def assert_agent_sees(agent_client, ticket: Ticket, team: Team) -> None:
    """The ticket is the default team's, opens for its agent and is in their Unassigned."""
    ticket.refresh_from_db()
    assert ticket.team_id == team.pk
    assert agent_client.get(reverse("tickets:detail", args=[ticket.pk])).status_code == 200
    response = agent_client.get(reverse("tickets:queue") + "?view=unassigned")
    counts = sidebar_counts(agent_client)
    assert counts["unassigned"] == Ticket.objects.filter(
        team=team, assignee=None, status__in=Ticket.UNRESOLVED).count() >= 1
    assert ticket.pk in [t.pk for t in response.context["page"].object_list]


# --- The rule --------------------------------------------------------------------------

def test_fresh_install_has_support_as_the_default_of_every_channel():
    """The migration's team and rule (the test database is built by the migrations)."""
    rule = ChannelDefault.objects.get(channel="")
    assert rule.team.name == "Support"
    assert default_team(channel="web") == rule.team


def test_address_wins_over_channel_and_channel_over_any(team, other_team):
    phone_team = TeamFactory(name="Phones")
    ChannelDefault.objects.create(channel="phone", team=phone_team)
    ReceivingAddress.objects.create(address="Billing@Shop.example", team=other_team)
    assert default_team(channel="phone") == phone_team
    assert default_team(channel="chat") == team
    assert default_team(channel="email", addresses=["x@y.example", "billing@shop.EXAMPLE"]) \
        == other_team
    assert default_team(channel="email", addresses=["nobody@shop.example"]) == team


def test_without_any_rule_the_oldest_team_takes_the_ticket():
    ChannelDefault.objects.all().delete()
    oldest = Team.objects.order_by("pk").first() or TeamFactory(name="First")
    TeamFactory(name="Later")
    assert default_team(channel="web") == oldest


def test_a_named_team_is_kept(team, other_team, customer):
    ticket = services.create_ticket(services.NewTicket(
        subject="s", body="b", customer=customer, team=other_team
    ))
    assert ticket.team == other_team


def test_a_default_team_cannot_be_deleted_from_under_the_rule(team):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        team.delete()


def test_migration_gives_teamless_tickets_the_default_team(team, customer):
    ticket = services.create_ticket(services.NewTicket(subject="old", body="b", customer=customer))
    Ticket.objects.filter(pk=ticket.pk).update(team=None)  # as before routing existed
    migration = importlib.import_module("tickets.migrations.0011_default_support_team")
    migration.set_default_team(apps, None)
    ticket.refresh_from_db()
    assert ticket.team == team
    assert ChannelDefault.objects.filter(channel="").count() == 1


def test_migration_on_an_installation_without_support_picks_its_oldest_team(customer):
    ChannelDefault.objects.all().delete()
    Team.objects.all().delete()
    first, _second = TeamFactory(name="Helpdesk"), TeamFactory(name="Sales")
    migration = importlib.import_module("tickets.migrations.0011_default_support_team")
    migration.set_default_team(apps, None)
    assert ChannelDefault.objects.get(channel="").team == first
    assert not Team.objects.filter(name="Support").exists()


# --- Every intake path, seen by an agent of the default team --------------------------------

def _raw_email(to: str = "help@shop.example") -> bytes:
    msg = EmailMessage()
    msg["From"] = "Kalle Customer <kalle@example.com>"
    msg["To"] = to
    msg["Subject"] = "Order 123 has not arrived"
    msg["Message-ID"] = f"<order-123-{to}@example.com>"
    msg.set_content("Hello, my order has not arrived yet.")
    return msg.as_bytes()


def test_email(agent_client, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = receive_raw(_raw_email(), source="test")
    assert result.status == "created"
    assert_agent_sees(agent_client, result.ticket, team)


def test_email_to_a_receiving_address_goes_to_its_team(other_team, other_agent, client,
                                                       django_capture_on_commit_callbacks):
    ReceivingAddress.objects.create(address="billing@shop.example", team=other_team)
    with django_capture_on_commit_callbacks(execute=True):
        result = receive_raw(_raw_email(to="billing@shop.example"), source="test")
    client.force_login(other_agent)
    assert_agent_sees(client, result.ticket, other_team)


def test_web_form(agent_client, team, client):
    from django.test import Client

    customer_side = Client()
    response = customer_side.post(reverse("portal:new"), {
        "name": "Kalle Customer", "email": "kalle@example.com", "subject": "Printer jam",
        "message": "Paper stuck.", "website": ""})
    assert response.status_code == 302
    assert_agent_sees(agent_client, Ticket.objects.get(subject="Printer jam"), team)


def test_widget(agent_client, team):
    from django.test import Client

    response = Client().post(reverse("portal:widget_tickets"), data=json.dumps(
        {"name": "Liisa", "email": "liisa@example.com", "message": "Can I change my order?"}),
        content_type="application/json")
    assert response.status_code == 201
    assert_agent_sees(agent_client, Ticket.objects.get(channel="chat"), team)


def test_portal_reply_to_a_closed_teamless_ticket(agent_client, team, agent):
    """The follow-up ticket of an old ticket that never had a team gets the default one."""
    from django.test import Client

    customer = CustomerFactory(email="kalle@example.com")
    old = services.create_ticket(services.NewTicket(subject="Old", body="b", customer=customer))
    services.solve_ticket(ticket=old, actor=agent)
    services.close_ticket(ticket=old)
    Ticket.objects.filter(pk=old.pk).update(team=None)
    portal = Client()
    session = portal.session
    session[auth.CUSTOMER_KEY] = customer.pk
    session.save()
    response = portal.post(reverse("portal:ticket", args=[old.pk]), {"message": "Again"})
    assert response.status_code == 302
    assert_agent_sees(agent_client, Ticket.objects.get(follows_up=old), team)


def test_api_post_by_a_manager_naming_no_team(agent_client, team, manager):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {create_api_token(user=manager, name='t')[1]}")
    response = api.post("/api/v1/tickets/", {
        "subject": "Integration", "body": "From our shop", "channel": "api",
        "customer": {"email": "shop@example.com", "name": "Shop"}}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["team"]["id"] == team.pk
    assert_agent_sees(agent_client, Ticket.objects.get(pk=response.json()["id"]), team)


def test_intake_webhook(agent_client, team, settings):
    settings.HELPDESK_INTAKE_SECRET = "s3cret"
    body = json.dumps({"customer": {"email": "chatter@example.com", "name": "Chat Person"},
                       "subject": "Widget question", "body": "How do I export?",
                       "external_id": "conv-1"}).encode()
    response = APIClient().post("/api/v1/intake/social/", body, content_type="application/json",
                                HTTP_X_SIGNATURE=signature_of(body, "s3cret"))
    assert response.status_code == 201, response.json()
    assert_agent_sees(agent_client, Ticket.objects.get(pk=response.json()["ticket"]), team)


def test_phone_ticket_logged_by_a_manager_without_a_team(agent_client, team, manager, client):
    from django.test import Client

    desk = Client()
    desk.force_login(manager)
    response = desk.post(reverse("tickets:new"), {
        "customer_email": "caller@example.com", "customer_name": "Caller", "channel": "phone",
        "subject": "Called about an invoice", "body": "Wants a copy.", "priority": "normal",
        "team": "", "acknowledge": ""})
    assert response.status_code == 302
    assert_agent_sees(agent_client, Ticket.objects.get(subject="Called about an invoice"), team)


def test_unassigned_queue_counts_match_for_agent_and_manager(agent_client, team, manager,
                                                             customer):
    """The issue's symptom: the manager's Unassigned said 7 while the agent's said 0."""
    from django.test import Client

    for n in range(3):
        services.create_ticket(services.NewTicket(
            subject=f"t{n}", body="b", customer=customer, channel="web"
        ))
    boss = Client()
    boss.force_login(manager)
    counts = {}
    for who, c in (("agent", agent_client), ("manager", boss)):
        counts[who] = sidebar_counts(c)["unassigned"]
        listed = c.get(reverse("tickets:queue") + "?view=unassigned").context["page"]
        assert listed.paginator.count == counts[who]
    assert counts == {"agent": 3, "manager": 3}


def test_admin_lists_the_routing_tables(admin_user, client, team):
    ReceivingAddress.objects.create(address="help@shop.example", team=team)
    client.force_login(admin_user)
    page = client.get(reverse("admin:tickets_channeldefault_changelist"))
    assert page.status_code == 200 and b"Support" in page.content
    page = client.get(reverse("admin:tickets_receivingaddress_changelist"))
    assert page.status_code == 200 and b"help@shop.example" in page.content


def test_agent_without_the_default_team_does_not_see_it(other_agent, client, customer):
    """The rule does not widen visibility: other teams still see only their own tickets."""
    ticket = services.create_ticket(services.NewTicket(subject="s", body="b", customer=customer))
    client.force_login(other_agent)
    assert client.get(reverse("tickets:detail", args=[ticket.pk])).status_code == 404
