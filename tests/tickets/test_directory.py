"""The agent pages' choices from the process's copy (tickets/directory.py) and the active
custom fields' copy: the same rows as the policy's querysets, for every role on tickets
of one's own team and of another, and a change seen at once in this process and within
the recheck window in another."""

from __future__ import annotations

import pytest
from django.urls import reverse

from helpdesk import versioned
from helpdesk.models import User
from tests.factories import UserFactory
from tests.helpdesk.test_versioned_recheck import Clock
from tickets import directory, policy
from tickets.models import CannedResponse, CustomField, Macro, TeamMembership, Ticket
from tickets.services import custom_fields
from tickets.services.macros import visible_macros

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved_clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(versioned, "_clock", fake)
    return fake


@pytest.fixture
def people(team, other_team, agent, other_agent, team_lead, manager, admin_user, analyst):
    """Two teams with their agents, canned responses and macros of every kind."""
    UserFactory(role=User.Role.AGENT, name="Gone", email="gone@helpdesk.test", is_active=False)
    for owner_team in (team, other_team, None):
        CannedResponse.objects.create(title=f"Hello {owner_team}", body="Hi",
                                      team=owner_team)
    for owner in (agent, other_agent, None):
        Macro.objects.create(name=f"Close for {owner}", owner=owner, actions=[])
    return {"agent": agent, "other_agent": other_agent, "team_lead": team_lead,
            "manager": manager, "admin": admin_user, "analyst": analyst}


@pytest.mark.parametrize("who", ["agent", "other_agent", "team_lead", "manager", "admin",
                                 "analyst"])
@pytest.mark.parametrize("ticket_team", ["own", "other", "none"])
def test_each_list_equals_its_queryset(people, team, other_team, customer, who, ticket_team):
    user = people[who]
    user.refresh_from_db()  # a fresh instance: no facts cached on it
    ticket = Ticket(customer=customer,
                    team={"own": team, "other": other_team, "none": None}[ticket_team])
    assert directory.teams_for(user) == list(policy.allowed_teams(user).order_by("name"))
    assert directory.agents_for(user, ticket) == list(policy.assignable_agents(user, ticket))
    assert directory.agents_for(user) == list(policy.assignable_agents(user))
    assert directory.canned_for(user) == list(directory.canned_queryset(user))
    assert directory.macros_for(user) == list(visible_macros(user))


def test_the_lists_are_real_and_differ_by_role(people, team, other_team):
    agent, manager = people["agent"], people["manager"]
    assert [t.pk for t in directory.teams_for(agent)] == [team.pk]
    assert {t.pk for t in directory.teams_for(manager)} >= {team.pk, other_team.pk}
    assert people["other_agent"] not in directory.agents_for(agent)
    assert "gone@helpdesk.test" not in {a.email for a in directory.agents_for(manager)}
    assert {c.title for c in directory.canned_for(agent)} == {f"Hello {team}", "Hello None"}
    assert {m.name for m in directory.macros_for(agent)} == {f"Close for {agent}",
                                                              "Close for None"}
    assert directory.teams_for(people["analyst"]) == directory.agents_for(people["analyst"]) == []


def test_a_warm_page_reads_none_of_them_and_a_change_reads_them_once(
        client, agent, ticket, django_assert_num_queries):
    client.force_login(agent)
    url = reverse("tickets:detail", args=[ticket.pk])
    client.get(url)
    with django_assert_num_queries(3):  # test_hot_page_speed
        client.get(url)
    CannedResponse.objects.create(title="Refund steps", body="Refunds take 3 days.")
    # teams, agents, memberships, canned responses, macros: read again, once; and the
    # memberships alone for the agent's own teams
    with django_assert_num_queries(3 + 5 + 1):
        response = client.get(url)
    assert "Refund steps" in response.text
    with django_assert_num_queries(3):
        client.get(url)


def test_signing_in_or_switching_availability_keeps_the_copy(agent):
    before = versioned.current("tickets:directory")
    agent.availability = User.Availability.AWAY
    agent.save(update_fields=["availability"])
    agent.save(update_fields=["last_login"])
    assert versioned.current("tickets:directory") == before
    agent.name = "Renamed Agent"
    agent.save(update_fields=["name"])
    assert versioned.current("tickets:directory") != before


def test_membership_rename_and_deactivation_reach_the_lists(client, manager, agent, team,
                                                           other_team, ticket):
    client.force_login(manager)
    url = reverse("tickets:detail", args=[ticket.pk])
    assert agent.name in client.get(url).text
    agent.name = "Aino Uusinimi"
    agent.save()
    assert "Aino Uusinimi" in client.get(url).text
    membership = TeamMembership.objects.get(user=agent, team=team)
    membership.delete()
    viewer = UserFactory(role=User.Role.AGENT)
    TeamMembership.objects.create(user=viewer, team=team)
    assert agent not in directory.agents_for(viewer, ticket)
    agent.is_active = False
    agent.save()
    assert agent not in directory.agents_for(manager)


def test_a_change_in_another_process_is_seen_within_the_window(moved_clock, agent, team):
    directory.canned_for(agent)
    # Another process adds one: the rows change, and its save moves the version …
    CannedResponse.objects.bulk_create([CannedResponse(title="Elsewhere", body="x")])
    versioned.bump("tickets:directory")
    assert "Elsewhere" not in {c.title for c in directory.canned_for(agent)}  # … not yet
    moved_clock.now += directory.RECHECK_SECONDS + 0.1
    assert "Elsewhere" in {c.title for c in directory.canned_for(agent)}


def test_the_active_fields_follow_every_change(team, other_team, django_assert_num_queries):
    field = CustomField.objects.create(key="product", type="text", label_en="Product",
                                       label_fi="Tuote")
    assert [f.key for f in custom_fields.active_fields()] == ["product"]
    with django_assert_num_queries(0):
        custom_fields.active_fields()
    field.teams.add(team)
    assert custom_fields.active_fields()[0].team_ids == {team.pk}
    field.teams.set([other_team])
    assert custom_fields.active_fields()[0].team_ids == {other_team.pk}
    field.active = False
    field.save()
    assert custom_fields.active_fields() == []
    field.active = True
    field.save()
    field.delete()
    assert custom_fields.active_fields() == []


def test_a_caller_changing_its_list_leaves_the_copy_alone(db):
    CustomField.objects.create(key="product", type="text", label_en="Product", label_fi="Tuote")
    custom_fields.active_fields().clear()
    assert len(custom_fields.active_fields()) == 1


def _fresh(user):
    return User.objects.get(pk=user.pk)  # no facts cached on the instance


def test_an_agents_teams_come_from_the_copy(agent, team, other_team,
                                            django_assert_num_queries):
    directory.agents_for(agent)  # the copy is read
    fresh = _fresh(agent)
    with django_assert_num_queries(0):
        assert policy.team_ids(fresh) == {team.pk}
    TeamMembership.objects.create(user=agent, team=other_team)  # this process: at once
    assert policy.team_ids(_fresh(agent)) == {team.pk, other_team.pk}
    TeamMembership.objects.filter(user=agent, team=team).delete()
    assert policy.team_ids(_fresh(agent)) == {other_team.pk}
    assert policy.can(_fresh(agent), policy.Action.VIEW, Ticket(team=other_team))
    assert not policy.can(_fresh(agent), policy.Action.VIEW, Ticket(team=team))


def test_a_membership_changed_in_another_process_counts_within_the_window(
        moved_clock, agent, team, other_team):
    assert policy.team_ids(_fresh(agent)) == {team.pk}
    TeamMembership.objects.bulk_create([TeamMembership(user=agent, team=other_team)])
    versioned.bump("tickets:directory")  # that process's save moved the version
    assert policy.team_ids(_fresh(agent)) == {team.pk}
    moved_clock.now += directory.RECHECK_SECONDS + 0.1
    assert policy.team_ids(_fresh(agent)) == {team.pk, other_team.pk}


def test_people_outside_the_copy_are_read_from_the_database(analyst, team, other_team):
    TeamMembership.objects.get_or_create(user=analyst, team=other_team)
    assert directory.member_teams(analyst.pk) is None
    expected = set(TeamMembership.objects.filter(user=analyst).values_list("team_id", flat=True))
    assert policy.team_ids(_fresh(analyst)) == expected and other_team.pk in expected
