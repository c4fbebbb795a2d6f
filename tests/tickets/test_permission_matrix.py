"""The permission rule as a matrix: role × action × own/other team, each cell tried
through the ticket pages (test client POSTs to the real views) and through the REST
API, and both must agree with one table (tickets/policy.py, docs/routing.md).

"own"/"other" is the ticket's team for actions on a ticket, the target team for a
move or a new ticket, and the assignee's team for an assignment. The effect is read
back from the database, so a view that answered 200 but changed nothing, or an API
that answered 4xx after writing, both fail.
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import api_client_for
from tests.factories import TeamFactory, UserFactory
from tickets import services
from tickets.models import Message, Ticket
from tickets.portal.auth import CUSTOMER_KEY

ROLES = ["agent", "manager", "admin_user", "analyst", "customer", "anonymous"]
ACTIONS = ["view", "reply", "note", "status", "priority", "tags", "team", "assign", "create",
           "bulk"]
ALLOWED = {
    "agent": {"own": True, "other": False},
    "manager": {"own": True, "other": True},
    "admin_user": {"own": True, "other": True},
    # Analysts see figures, never tickets, even of a team they belong to (docs/roles.md).
    "analyst": {"own": False, "other": False},
    "customer": {"own": False, "other": False},
    "anonymous": {"own": False, "other": False},
}
# Refusals of a value the user may not choose name the field (400), both in the API
# and on the ticket page; other refusals are 401/403/404 (no existence leak).
FIELD_OF = {"team": "team", "assign": "assignee", "create": "team"}



@pytest.fixture
def world(db, team, other_team, agent, other_agent, customer, django_capture_on_commit_callbacks):
    second_team = TeamFactory(name="Sales")
    agent.teams.add(second_team)
    team_mate = UserFactory(email="tiina@helpdesk.test", name="Tiina Teammate", teams=[team])
    with django_capture_on_commit_callbacks(execute=True):
        own = services.create_ticket(services.NewTicket(
            subject="Own", body="Mine", customer=customer, team=team
        ))
        other = services.create_ticket(services.NewTicket(
            subject="Other", body="Theirs", customer=customer, team=other_team
        ))
    return {"own_ticket": own, "other_ticket": other,
            "own_team": second_team, "other_team": other_team,
            "own_agent": team_mate, "other_agent": other_agent,
            "create_own": team, "create_other": other_team}


def clients(request, role):
    """(page client, API client) signed in as the role."""
    if role == "anonymous":
        return Client(), APIClient()
    if role == "customer":
        page, api = Client(), APIClient()
        for c in (page, api):
            session = c.session
            session[CUSTOMER_KEY] = request.getfixturevalue("customer").pk
            session.save()
            c.cookies["sessionid"] = session.session_key
        return page, api
    user = request.getfixturevalue(role)
    page = Client()
    page.force_login(user)
    return page, api_client_for(user)


def target_ticket(world, action, scope):
    if action in ("team", "assign"):
        return world["own_ticket"]  # a ticket the agent works on; the target varies
    return world[f"{scope}_ticket"]


def via_ui(client, world, action, scope, ticket):
    url = f"/tickets/{ticket.pk}/"
    if action == "view":
        return client.get(url)
    if action in ("reply", "note"):
        return client.post(f"{url}reply/", {"body": f"Matrix {action}",
                                            "kind": "note" if action == "note" else "reply"})
    if action == "create":
        return client.post("/tickets/new/", {
            "customer_email": "new@example.com", "channel": "phone", "subject": "Matrix new",
            "body": "Phoned in", "priority": "normal", "team": world[f"create_{scope}"].pk})
    if action == "bulk":
        return client.post("/tickets/bulk/", {"ids": [ticket.pk], "action": "priority",
                                              "value": "high"})
    data = {"status": {"status": "pending"}, "priority": {"priority": "high"},
            "tags": {"tags": "vip"}, "team": {"team": world[f"{scope}_team"].pk},
            "assign": {"assignee": world[f"{scope}_agent"].pk}}[action]
    return client.post(f"{url}properties/", data, HTTP_HX_REQUEST="true")


def via_api(client, world, action, scope, ticket):
    url = f"/api/v1/tickets/{ticket.pk}/"
    if action == "view":
        return client.get(url)
    if action in ("reply", "note"):
        return client.post(f"{url}messages/", {"body": f"Matrix {action}",
                                               "public": action == "reply"}, format="json")
    if action == "create":
        return client.post("/api/v1/tickets/", {
            "subject": "Matrix new", "body": "Phoned in", "customer": {"email": "new@example.com"},
            "team": world[f"create_{scope}"].pk}, format="json")
    data = {"status": {"status": "pending"}, "priority": {"priority": "high"},
            "tags": {"tags": ["vip"]}, "team": {"team": world[f"{scope}_team"].pk},
            "assign": {"assignee": world[f"{scope}_agent"].pk},
            # The API has no bulk endpoint: its bulk is one PATCH per ticket.
            "bulk": {"priority": "high"}}[action]
    return client.patch(url, data, format="json")


def effect(world, action, scope, ticket, response) -> bool:
    """Did the action happen? Read from the database, not from the response."""
    if action == "view":
        return response.status_code == 200 and ticket.reference in response.content.decode()
    if action in ("reply", "note"):
        return Message.objects.filter(ticket=ticket, body_text=f"Matrix {action}",
                                      public=action == "reply").exists()
    if action == "create":
        return Ticket.objects.filter(subject="Matrix new", team=world[f"create_{scope}"]).exists()
    ticket.refresh_from_db()
    return {"status": lambda: ticket.status == "pending",
            "priority": lambda: ticket.priority == "high",
            "bulk": lambda: ticket.priority == "high",
            "tags": lambda: list(ticket.tags.values_list("name", flat=True)) == ["vip"],
            "team": lambda: ticket.team_id == world[f"{scope}_team"].pk,
            "assign": lambda: ticket.assignee_id == world[f"{scope}_agent"].pk}[action]()


@pytest.mark.parametrize("scope", ["own", "other"])
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("door", ["ui", "api"])
def test_permission_matrix(request, world, door, role, action, scope):
    page, api = clients(request, role)
    ticket = target_ticket(world, action, scope)
    if door == "ui":
        response = via_ui(page, world, action, scope, ticket)
    else:
        response = via_api(api, world, action, scope, ticket)
    allowed = ALLOWED[role][scope]
    assert effect(world, action, scope, ticket, response) is allowed, response.content[:500]
    assert response.status_code < 500
    if door == "api":
        if allowed:
            assert response.status_code in (200, 201)
        elif role in ("customer", "anonymous"):
            assert response.status_code in (401, 403)
        elif role == "analyst":
            assert response.status_code in (403, 404)
        elif action in FIELD_OF:
            assert response.status_code == 400
            assert FIELD_OF[action] in response.json()
        else:
            assert response.status_code == 404
    elif role == "analyst":
        assert response.status_code in (403, 404)
    elif not allowed and role == "agent" and action in ("team", "assign"):
        # The ticket page shows why, beside the panel.
        assert b"Choose" in response.content


def test_policy_and_querysets_agree(world, agent):
    """The SQL twin of the rule lists exactly the tickets ``can(view)`` allows."""
    from tickets import policy

    listed = set(policy.visible_tickets(agent).values_list("pk", flat=True))
    judged = {t.pk for t in Ticket.objects.all() if policy.can(agent, "view", t)}
    assert listed == judged == {world["own_ticket"].pk}
    assert set(policy.allowed_teams(agent)) == {world["create_own"], world["own_team"]}
    assignable = set(policy.assignable_agents(agent, world["own_ticket"]))
    assert world["own_agent"] in assignable and world["other_agent"] not in assignable
    assert all(policy.can(agent, "assign", world["own_ticket"], assignee=a) for a in assignable)


def test_ticket_assigned_to_an_agent_of_another_team_is_theirs_to_work(world, agent):
    """An agent works on tickets assigned to them even outside their teams, but may
    not give them to the other team's agents."""
    ticket = world["other_ticket"]
    services.apply_ticket_changes(ticket=ticket, changes={"assignee": agent}, actor=None,
                                  source="test")
    api = api_client_for(agent)
    assert api.patch(f"/api/v1/tickets/{ticket.pk}/", {"priority": "high"},
                     format="json").status_code == 200
    response = api.patch(f"/api/v1/tickets/{ticket.pk}/",
                         {"assignee": world["own_agent"].pk}, format="json")
    assert response.status_code == 200  # a mate of their own team: allowed
    ticket.refresh_from_db()
    assert ticket.assignee == world["own_agent"]


def test_agent_may_not_remove_the_team(world, agent):
    response = api_client_for(agent).patch(f"/api/v1/tickets/{world['own_ticket'].pk}/",
                                           {"team": None}, format="json")
    assert response.status_code == 400
    assert "team" in response.json()


def test_session_api_refuses_other_team_like_the_token(world, agent):
    """Issue 11 item 3 with a browser session instead of a token."""
    client = APIClient()
    client.force_login(agent)
    url = f"/api/v1/tickets/{world['own_ticket'].pk}/"
    for body, field in (({"team": world["other_team"].pk}, "team"),
                        ({"assignee": world["other_agent"].pk}, "assignee")):
        response = client.patch(url, body, format="json")
        assert response.status_code == 400 and field in response.json()
    created = client.post("/api/v1/tickets/", {
        "subject": "x", "body": "y", "customer": {"email": "s@example.com"},
        "team": world["other_team"].pk}, format="json")
    assert created.status_code == 400 and "team" in created.json()
    world["own_ticket"].refresh_from_db()
    assert world["own_ticket"].team_id != world["other_team"].pk
