"""One ticket: read it, and change status, priority, assignee, team and tags by PATCH."""

import pytest

from tests.factories import TeamFactory, UserFactory
from tickets import services
from tickets.models import Ticket, TicketEvent


def url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.pk}/"


def test_get_ticket_shows_its_fields(api, ticket, customer, team):
    data = api.get(url(ticket)).json()
    assert data["id"] == ticket.pk
    assert data["reference"] == ticket.reference
    assert data["status"] == "new"
    assert data["customer"] == {"id": customer.pk, "email": customer.email,
                                "name": customer.name, "organization": None}
    assert data["team"] == {"id": team.pk, "name": team.name}
    assert data["assignee"] is None
    for key in ("created_at", "updated_at", "first_response_at", "solved_at", "closed_at",
                "reopen_count", "tags", "sla"):
        assert key in data


def test_patch_status_goes_through_the_service(api, agent, ticket):
    response = api.patch(url(ticket), {"status": "solved"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "solved"
    assert response.json()["solved_at"] is not None
    event = TicketEvent.objects.get(ticket=ticket, field="status")
    assert (event.old_value, event.new_value, event.actor) == ("new", "solved", agent)


def test_patch_illegal_status_transition_is_400_naming_status(api, agent, ticket):
    services.change_status(ticket=ticket, status="solved", actor=agent)
    services.change_status(ticket=ticket, status="closed", actor=agent)
    response = api.patch(url(ticket), {"status": "open"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()
    ticket.refresh_from_db()
    assert ticket.status == "closed"


def test_refused_status_rolls_back_the_other_changes(api, agent, ticket):
    services.change_status(ticket=ticket, status="solved", actor=agent)
    services.change_status(ticket=ticket, status="closed", actor=agent)
    response = api.patch(url(ticket), {"priority": "urgent", "status": "pending"}, format="json")
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.priority == "normal"


def test_patch_priority(api, ticket):
    data = api.patch(url(ticket), {"priority": "urgent"}, format="json").json()
    assert data["priority"] == "urgent"
    assert Ticket.objects.get(pk=ticket.pk).priority == "urgent"


def test_patch_assignee_and_unassign(api, agent, team_lead, ticket, mailoutbox,
                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        data = api.patch(url(ticket), {"assignee": team_lead.pk}, format="json").json()
    assert data["assignee"] == {"id": team_lead.pk, "name": team_lead.name,
                                "email": team_lead.email}
    assert [m.to for m in mailoutbox][-1] == [team_lead.email]
    data = api.patch(url(ticket), {"assignee": None}, format="json").json()
    assert data["assignee"] is None


def test_patch_team_and_clear_it(manager, ticket, other_team):
    from tests.conftest import api_client_for

    client = api_client_for(manager)
    data = client.patch(url(ticket), {"team": other_team.pk}, format="json").json()
    assert data["team"]["id"] == other_team.pk
    data = client.patch(url(ticket), {"team": None}, format="json").json()
    assert data["team"] is None


def test_patch_tags_replaces_them(api, ticket):
    api.patch(url(ticket), {"tags": ["printer", "fire"]}, format="json")
    data = api.patch(url(ticket), {"tags": ["printer", "Urgent"]}, format="json").json()
    assert sorted(data["tags"]) == ["printer", "urgent"]


def test_patch_several_fields_at_once(api, agent, ticket):
    data = api.patch(url(ticket), {"assignee": agent.pk, "priority": "high", "status": "open"},
                     format="json").json()
    assert (data["assignee"]["id"], data["priority"], data["status"]) == (agent.pk, "high", "open")


def test_patch_with_no_fields_changes_nothing(api, ticket):
    response = api.patch(url(ticket), {}, format="json")
    assert response.status_code == 200
    assert not TicketEvent.objects.filter(ticket=ticket).exclude(field="created").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "done"}, "status"),
        ({"status": None}, "status"),
        ({"priority": "critical"}, "priority"),
        ({"assignee": 999999}, "assignee"),
        ({"assignee": "abc"}, "assignee"),
        ({"assignee": 2**70}, "assignee"),
        ({"team": 999999}, "team"),
        ({"team": {"id": 1}}, "team"),
        ({"tags": "printer"}, "tags"),
        ({"tags": [1, {}]}, "tags"),
        ({"subject": "Renamed"}, "subject"),
        ({"reference": "HD-1"}, "reference"),
        ({"reopen_count": 0}, "reopen_count"),
        ({"sla": {}}, "sla"),
        ({"priorty": "high"}, "priorty"),
    ],
)
def test_patch_bad_input_is_400_naming_the_field(api, ticket, body, field):
    response = api.patch(url(ticket), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_patch_inactive_assignee_is_400(api, ticket, team):
    gone = UserFactory(is_active=False, teams=[team])
    response = api.patch(url(ticket), {"assignee": gone.pk}, format="json")
    assert response.status_code == 400
    assert "assignee" in response.json()


def test_put_is_not_allowed(api, ticket):
    assert api.put(url(ticket), {"priority": "low"}, format="json").status_code == 405


@pytest.mark.parametrize("pk", ["abc", "0", "-1", "99999999999999999999999", "1.5"])
def test_bad_ticket_ids_are_404_json(api, pk):
    response = api.get(f"/api/v1/tickets/{pk}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_assigning_moves_an_orphan_ticket_into_the_agents_team(manager, customer):
    from tests.conftest import api_client_for

    team = TeamFactory(name="Orphans")
    helper = UserFactory(teams=[team])
    ticket = services.create_ticket(services.NewTicket(subject="x", body="y", customer=customer))
    # A ticket from before every ticket had a team (migration 0008 gives them one).
    Ticket.objects.filter(pk=ticket.pk).update(team=None)
    data = api_client_for(manager).patch(url(ticket), {"assignee": helper.pk},
                                         format="json").json()
    assert data["team"]["id"] == team.pk
