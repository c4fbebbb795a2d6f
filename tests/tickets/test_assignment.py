"""Automatic assignment: round robin, least busy, capacity, availability, waiting tickets."""

import pytest

from helpdesk.models import User
from tests.conftest import api_client_for
from tests.factories import UserFactory
from tickets import services
from tickets.models import Team, Ticket, TicketEvent
from tickets.services import assignment

Availability = User.Availability



@pytest.fixture
def crew(team):
    """Three agents of the team, in id order."""
    return [UserFactory(email=f"crew{i}@helpdesk.test", teams=[team]) for i in range(3)]


@pytest.fixture
def new_ticket(customer, team, django_capture_on_commit_callbacks):
    def make(subject="Help"):
        with django_capture_on_commit_callbacks(execute=True):
            ticket = services.create_ticket(services.NewTicket(
                subject=subject, body="Please", customer=customer, team=team))
        ticket.refresh_from_db()
        return ticket
    return make


def use_mode(team, mode):
    team.assignment = mode
    team.save(update_fields=["assignment"])


def test_manual_team_leaves_tickets_unassigned(crew, new_ticket):
    assert new_ticket().assignee is None


def test_round_robin_takes_turns_and_skips_unavailable_agents(team, crew, new_ticket):
    use_mode(team, Team.Assignment.ROUND_ROBIN)
    crew[1].availability = Availability.AWAY
    crew[1].save(update_fields=["availability"])
    owners = [new_ticket().assignee for _ in range(4)]
    assert owners == [crew[0], crew[2], crew[0], crew[2]]
    event = TicketEvent.objects.filter(field="assignee").order_by("pk").first()
    assert event.actor is None  # the system assigned it


def test_least_busy_picks_the_agent_with_fewest_open_tickets(team, crew, new_ticket,
                                                            django_capture_on_commit_callbacks):
    for agent in crew[:2]:
        busy = new_ticket()
        with django_capture_on_commit_callbacks(execute=True):
            services.apply_ticket_changes(ticket=busy, changes={"assignee": agent}, actor=None,
                                          source="test")
    solved = Ticket.objects.filter(assignee=crew[0]).get()
    services.change_status(ticket=solved, status="solved")  # solved no longer counts
    use_mode(team, Team.Assignment.LEAST_BUSY)
    assert new_ticket().assignee == crew[0]  # 0 open (one solved) vs crew[2] 0 open: lower id
    assert new_ticket().assignee == crew[2]


def test_capacity_is_respected_and_the_rest_waits(team, crew, new_ticket):
    use_mode(team, Team.Assignment.ROUND_ROBIN)
    for agent in crew:
        agent.capacity = 1
        agent.save(update_fields=["capacity"])
    tickets = [new_ticket() for _ in range(4)]
    assert sorted(t.assignee.pk for t in tickets[:3]) == sorted(a.pk for a in crew)
    assert tickets[3].assignee is None  # waits in the team queue
    assert list(assignment.waiting_tickets(team.pk)) == [tickets[3]]


def test_waiting_ticket_goes_to_an_agent_who_becomes_available(team, crew, new_ticket,
                                                               django_capture_on_commit_callbacks):
    use_mode(team, Team.Assignment.ROUND_ROBIN)
    for agent in crew:
        agent.availability = Availability.OFFLINE
        agent.save(update_fields=["availability"])
    first, second = new_ticket("First"), new_ticket("Second")
    assert first.assignee is None and second.assignee is None
    crew[1].capacity = 1
    crew[1].save(update_fields=["capacity"])
    with django_capture_on_commit_callbacks(execute=True):
        assignment.set_availability(agent=crew[1], availability=Availability.AVAILABLE)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.assignee == crew[1]  # oldest first, up to capacity
    assert second.assignee is None


def test_solving_a_ticket_frees_room_for_a_waiting_one(team, crew, new_ticket,
                                                       django_capture_on_commit_callbacks):
    use_mode(team, Team.Assignment.LEAST_BUSY)
    for agent in crew[1:]:
        agent.availability = Availability.OFFLINE
        agent.save(update_fields=["availability"])
    crew[0].capacity = 1
    crew[0].save(update_fields=["capacity"])
    busy, waiting = new_ticket(), new_ticket()
    assert busy.assignee == crew[0] and waiting.assignee is None
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_to_ticket(ticket=busy, agent=crew[0], body="Done.", new_status="solved")
    waiting.refresh_from_db()
    assert waiting.assignee == crew[0]


def test_agents_going_offline_keep_their_tickets(team, crew, new_ticket):
    use_mode(team, Team.Assignment.ROUND_ROBIN)
    ticket = new_ticket()
    assignment.set_availability(agent=ticket.assignee, availability=Availability.OFFLINE)
    ticket.refresh_from_db()
    assert ticket.assignee is not None


def test_moving_a_ticket_into_an_automatic_team_assigns_it(team, other_team, other_agent,
                                                           manager, new_ticket,
                                                           django_capture_on_commit_callbacks):
    use_mode(other_team, Team.Assignment.ROUND_ROBIN)
    ticket = new_ticket()
    with django_capture_on_commit_callbacks(execute=True):
        services.apply_ticket_changes(ticket=ticket, changes={"team": other_team},
                                      actor=manager, source="web")
    ticket.refresh_from_db()
    assert ticket.assignee == other_agent


def test_switching_a_team_to_automatic_hands_out_its_waiting_tickets(
        team, crew, new_ticket, django_capture_on_commit_callbacks):
    waiting = new_ticket()
    with django_capture_on_commit_callbacks(execute=True):
        assignment.set_assignment_mode(team=team, mode=Team.Assignment.LEAST_BUSY)
    waiting.refresh_from_db()
    assert waiting.assignee == crew[0]


def test_unknown_availability_is_refused(agent):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        assignment.set_availability(agent=agent, availability="asleep")
    assert "availability" in info.value.message_dict


# -- API ------------------------------------------------------------------------------

def test_teams_api_lists_modes_and_members(team, other_team, agent, other_agent,
                                           django_assert_num_queries):
    api = api_client_for(agent)
    api.get("/api/v1/teams/")  # warm the token lookup's content types
    with django_assert_num_queries(3):  # token, teams, memberships
        body = api.get("/api/v1/teams/").json()
    assert body == [
        {"id": other_team.pk, "name": "Billing", "assignment": "manual",
         "members": [other_agent.pk]},
        {"id": team.pk, "name": "Support", "assignment": "manual", "members": [agent.pk]},
    ]


def test_only_managers_change_a_teams_assignment(team, agent, manager):
    url = f"/api/v1/teams/{team.pk}/"
    assert api_client_for(agent).patch(url, {"assignment": "round_robin"},
                                       format="json").status_code == 403
    response = api_client_for(manager).patch(url, {"assignment": "round_robin"}, format="json")
    assert response.status_code == 200 and response.json()["assignment"] == "round_robin"
    bad = api_client_for(manager).patch(url, {"assignment": "lottery"}, format="json")
    assert bad.status_code == 400 and "assignment" in bad.json()
    assert api_client_for(manager).patch(url, {"name": "X"}, format="json").status_code == 400


def test_agents_me_reads_and_sets_availability(agent):
    api = api_client_for(agent)
    assert api.get("/api/v1/agents/me/").json() == {
        "id": agent.pk, "name": agent.name, "email": agent.email, "role": "agent",
        "availability": "available", "capacity": None}
    response = api.patch("/api/v1/agents/me/", {"availability": "away"}, format="json")
    assert response.status_code == 200 and response.json()["availability"] == "away"
    agent.refresh_from_db()
    assert agent.availability == "away"
    refused = api.patch("/api/v1/agents/me/", {"capacity": 3}, format="json")
    assert refused.status_code == 400 and "capacity" in refused.json()


def test_managers_set_their_capacity(manager):
    api = api_client_for(manager)
    assert api.patch("/api/v1/agents/me/", {"capacity": 4}, format="json").json()["capacity"] == 4
    assert api.patch("/api/v1/agents/me/", {"capacity": None},
                     format="json").json()["capacity"] is None
    assert api.patch("/api/v1/agents/me/", {"capacity": -1}, format="json").status_code == 400


# -- the top bar ----------------------------------------------------------------------

def test_top_bar_sets_availability(client, agent, team):
    client.force_login(agent)
    page = client.get("/").content.decode()
    assert 'id="availability"' in page and 'value="available" selected' in page
    response = client.post("/settings/availability/", {"availability": "offline"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'value="offline" selected' in response.content.decode()
    agent.refresh_from_db()
    assert agent.availability == "offline"
    bad = client.post("/settings/availability/", {"availability": "asleep"},
                      headers={"HX-Request": "true"})
    assert bad.status_code == 400
