"""Who may use each ticket endpoint: staff only; agents their teams' tickets (and those
assigned to them), managers and admins all; an invisible ticket is a 404."""

import pytest
from rest_framework.test import APIClient

from tests.conftest import api_client_for
from tests.factories import UserFactory
from tickets import services
from tickets.models import Ticket

PERSONAS = ["agent", "other_agent", "manager", "admin_user"]
SEES_TEAM_TICKET = {"agent": True, "other_agent": False, "manager": True, "admin_user": True}


def endpoints(ticket):
    base = f"/api/v1/tickets/{ticket.pk}/"
    return [
        ("get", base, None),
        ("patch", base, {"priority": "high"}),
        ("get", f"{base}messages/", None),
        ("post", f"{base}messages/", {"body": "Checking.", "public": False}),
    ]


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_refused_on_the_list(method, ticket):
    response = getattr(APIClient(), method)("/api/v1/tickets/", {}, format="json")
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.parametrize("index", range(4))
def test_anonymous_is_refused_on_every_ticket_endpoint(ticket, index):
    method, url, body = endpoints(ticket)[index]
    response = getattr(APIClient(), method)(url, body, format="json")
    assert response.status_code == 401


def test_bad_token_is_401(ticket):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/tickets/").status_code == 401


def test_inactive_user_is_refused(ticket, team):
    user = UserFactory(teams=[team])
    client = api_client_for(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(f"/api/v1/tickets/{ticket.pk}/").status_code == 401


def test_session_login_works_and_needs_csrf_for_writes(agent, ticket):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(agent)
    assert client.get(f"/api/v1/tickets/{ticket.pk}/").status_code == 200
    response = client.patch(f"/api/v1/tickets/{ticket.pk}/", {"priority": "low"},
                            format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("index", range(4))
def test_ticket_endpoints_by_persona(request, persona, index, ticket):
    client = api_client_for(request.getfixturevalue(persona))
    method, url, body = endpoints(ticket)[index]
    response = getattr(client, method)(url, body, format="json")
    if SEES_TEAM_TICKET[persona]:
        assert response.status_code in (200, 201), response.content
    else:
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_shows_only_visible_tickets(request, persona, ticket):
    client = api_client_for(request.getfixturevalue(persona))
    response = client.get("/api/v1/tickets/")
    assert response.status_code == 200
    shown = [row["id"] for row in response.json()["results"]]
    assert shown == ([ticket.pk] if SEES_TEAM_TICKET[persona] else [])


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_staff_persona_may_create(request, persona):
    client = api_client_for(request.getfixturevalue(persona))
    body = {"subject": "Hi", "body": "Hello", "customer": {"email": "x@example.com"}}
    response = client.post("/api/v1/tickets/", body, format="json")
    assert response.status_code == 201
    # Whoever created it can read it back.
    assert client.get(f"/api/v1/tickets/{response.json()['id']}/").status_code == 200


def test_agent_sees_a_ticket_of_another_team_assigned_to_them(other_agent, customer, team,
                                                              agent):
    ticket = services.create_ticket(services.NewTicket(
        subject="x", body="y", customer=customer, team=team
    ))
    Ticket.objects.filter(pk=ticket.pk).update(assignee=other_agent)
    client = api_client_for(other_agent)
    assert client.get(f"/api/v1/tickets/{ticket.pk}/").status_code == 200
    assert client.get(f"/api/v1/tickets/{ticket.pk}/messages/").status_code == 200


def test_other_agent_cannot_change_a_ticket_they_cannot_see(other_agent, ticket):
    client = api_client_for(other_agent)
    client.patch(f"/api/v1/tickets/{ticket.pk}/", {"priority": "urgent"}, format="json")
    ticket.refresh_from_db()
    assert ticket.priority == "normal"
