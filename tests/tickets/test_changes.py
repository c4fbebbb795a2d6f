"""apply_ticket_changes: one change set, one order, all or nothing, one ticket_updated."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import TeamFactory, UserFactory
from tickets import services
from tickets.models import Ticket, TicketEvent
from tickets.signals import ticket_assigned, ticket_changed, ticket_updated


@pytest.fixture
def heard():
    """Every ticket_updated / per-field signal sent, in order."""
    calls = []

    def listen(name):
        def receiver(sender, **kwargs):
            calls.append((name, kwargs))
        return receiver

    receivers = {ticket_updated: listen("updated"), ticket_changed: listen("changed"),
                 ticket_assigned: listen("assigned")}
    for signal, receiver in receivers.items():
        signal.connect(receiver)
    yield calls
    for signal, receiver in receivers.items():
        signal.disconnect(receiver)


def test_applies_every_field_and_announces_one_update(ticket, agent, team, heard,
                                                      django_capture_on_commit_callbacks):
    mate = UserFactory(teams=[team])
    services.set_tags(ticket=ticket, tags=["old", "keep"])
    with django_capture_on_commit_callbacks(execute=True):
        result = services.apply_ticket_changes(
            ticket=ticket, actor=agent, source="api", depth=2,
            changes={"status": "pending", "priority": "high", "assignee": mate,
                     "add_tags": ["new"], "remove_tags": ["old"]})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee) == ("pending", "high", mate)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["keep", "new"]
    assert result.changes == {"assignee": [None, mate.pk], "priority": ["normal", "high"],
                              "status": ["new", "pending"],
                              "tags": [["keep", "old"], ["keep", "new"]]}
    updates = [kw for name, kw in heard if name == "updated"]
    assert len(updates) == 1
    assert updates[0]["changes"] == result.changes
    assert (updates[0]["actor_id"], updates[0]["source"], updates[0]["depth"]) == (agent.pk,
                                                                                  "api", 2)
    # The per-field signals still fire, as surveys and metrics expect.
    assert {"assigned", "changed"} <= {name for name, _ in heard}


def test_fields_apply_team_assignee_priority_tags_status(ticket, manager, other_team,
                                                         other_agent):
    services.apply_ticket_changes(
        ticket=ticket, actor=manager, source="web",
        changes={"status": "open", "tags": ["x"], "priority": "low", "assignee": other_agent,
                 "team": other_team})
    fields = list(TicketEvent.objects.filter(ticket=ticket).exclude(field="created")
                  .order_by("pk").values_list("field", flat=True))
    assert [f for f in fields if f != "sla_policy"] == ["team", "assignee", "priority", "tags",
                                                        "status"]


def test_a_refused_field_changes_nothing(ticket, agent):
    ticket.status = Ticket.Status.CLOSED
    ticket.save(update_fields=["status"])
    with pytest.raises(ValidationError) as info:
        services.apply_ticket_changes(ticket=ticket, actor=agent, source="api",
                                      changes={"priority": "urgent", "status": "open"})
    assert "status" in info.value.message_dict
    ticket.refresh_from_db()
    assert ticket.priority == "normal"
    assert not TicketEvent.objects.filter(ticket=ticket, field="priority").exists()


def test_assignee_is_checked_against_the_team_of_the_same_change(ticket, agent):
    """An agent in two teams moves a ticket and assigns a mate of the new team at once."""
    sales = TeamFactory(name="Sales")
    agent.teams.add(sales)
    seller = UserFactory(teams=[sales])
    old_team = ticket.team_id
    result = services.apply_ticket_changes(ticket=ticket, actor=agent, source="web",
                                           changes={"team": sales, "assignee": seller})
    assert result.changes["team"] == [old_team, sales.pk]
    assert Ticket.objects.get(pk=ticket.pk).assignee == seller


def test_agent_cannot_move_to_another_team_or_assign_its_agents(ticket, agent, other_team,
                                                                other_agent):
    for changes, field in (({"team": other_team}, "team"), ({"assignee": other_agent},
                                                            "assignee")):
        with pytest.raises(ValidationError) as info:
            services.apply_ticket_changes(ticket=ticket, actor=agent, source="api",
                                          changes=changes)
        assert field in info.value.message_dict


def test_ticket_not_visible_is_permission_denied(ticket, other_agent):
    with pytest.raises(PermissionDenied):
        services.apply_ticket_changes(ticket=ticket, actor=other_agent, source="api",
                                      changes={"priority": "high"})


def test_the_system_may_do_anything_valid(ticket, other_team, other_agent):
    result = services.apply_ticket_changes(ticket=ticket, actor=None, source="rule",
                                           changes={"team": other_team, "assignee": other_agent})
    assert set(result.changes) == {"team", "assignee"}


def test_unknown_fields_and_inactive_assignees_are_named(ticket, team):
    with pytest.raises(ValidationError) as info:
        services.apply_ticket_changes(ticket=ticket, actor=None, source="rule",
                                      changes={"colour": "red"})
    assert "colour" in info.value.message_dict
    gone = UserFactory(teams=[team], is_active=False)
    with pytest.raises(ValidationError) as info:
        services.apply_ticket_changes(ticket=ticket, actor=None, source="rule",
                                      changes={"assignee": gone})
    assert "assignee" in info.value.message_dict


def test_no_change_sends_nothing(ticket, agent, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = services.apply_ticket_changes(ticket=ticket, actor=agent, source="web",
                                               changes={"priority": ticket.priority})
    assert not result.changed and heard == []


def test_reply_with_status_goes_through_the_change_service(ticket, agent, heard,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_to_ticket(ticket=ticket, agent=agent, body="Fixed.",
                                 new_status=Ticket.Status.SOLVED)
    updates = [kw for name, kw in heard if name == "updated"]
    assert [u["changes"]["status"] for u in updates] == [["new", "solved"]]
    assert updates[0]["source"] == "reply"
