"""Rules changing tickets: through apply_ticket_changes, re-triggering to a bounded depth,
once per event per chain, and failures recorded without blocking anything."""

from rules import engine
from tickets.services.changes import apply_ticket_changes

from .conftest import history

WEB = {"field": "channel", "op": "is", "value": "web"}


def test_routing_rule_sets_team_and_tags_through_the_change_service(make_rule, web_ticket,
                                                                     other_team):
    make_rule("Web to Billing", all=[WEB], actions=[
        {"type": "set_team", "value": other_team.pk}, {"type": "add_tags", "value": ["web"]}])
    ticket = web_ticket()
    ticket.refresh_from_db()
    assert ticket.team == other_team
    assert list(ticket.tags.values_list("name", flat=True)) == ["web"]
    fields = list(ticket.events.values_list("field", flat=True))
    assert fields.index("rule") < fields.index("team")  # the firing, then its change
    team_event = ticket.events.get(field="team")
    assert team_event.actor is None  # the system, not a person


def test_rule_changes_trigger_rules_on_ticket_updated(make_rule, web_ticket, other_team):
    make_rule("Web to Billing", all=[WEB], actions=[{"type": "set_team", "value": other_team.pk}])
    make_rule("Billing is urgent", events=["ticket.updated"],
              all=[{"field": "team", "op": "is", "value": other_team.pk},
                   {"field": "changed", "op": "contains", "value": "team"}],
              actions=[{"type": "set_priority", "value": "high"}])
    ticket = web_ticket()
    ticket.refresh_from_db()
    assert ticket.priority == "high"
    assert ("ticket.updated", "Billing is urgent") in history(ticket)


def test_chain_stops_at_the_depth_bound_and_says_so(make_rule, web_ticket):
    make_rule("Start", all=[WEB], actions=[{"type": "add_tags", "value": ["t0"]}])
    # Listed last-step-first, so each step needs the event the previous one caused
    # (in one pass, later rules already see what earlier ones changed).
    for n in range(5, 0, -1):
        make_rule(f"Step {n}", events=["ticket.updated"],
                  all=[{"field": "tags", "op": "contains", "value": f"t{n - 1}"},
                       {"field": "tags", "op": "not_contains", "value": f"t{n}"}],
                  actions=[{"type": "add_tags", "value": [f"t{n}"]}])
    ticket = web_ticket()
    tags = set(ticket.tags.values_list("name", flat=True))
    assert tags == {f"t{n}" for n in range(engine.MAX_DEPTH + 1)}
    assert history(ticket, "rule_stopped") == [("ticket.updated", f"Step {engine.MAX_DEPTH + 1}")]


def test_a_rule_fires_once_per_event_in_a_chain(run, make_rule, ticket, manager):
    make_rule("Flip", events=["ticket.updated"],
              all=[{"field": "priority", "op": "is", "value": "low"}],
              actions=[{"type": "set_priority", "value": "high"}])
    make_rule("Flop", events=["ticket.updated"],
              all=[{"field": "priority", "op": "is", "value": "high"}],
              actions=[{"type": "set_priority", "value": "low"}])
    run(apply_ticket_changes, ticket=ticket, changes={"priority": "low"}, actor=manager,
        source="api")
    ticket.refresh_from_db()
    assert ticket.priority == "low"
    assert history(ticket) == [("ticket.updated", "Flip"), ("ticket.updated", "Flop")]
    assert history(ticket, "rule_stopped") == []


def test_inactive_assignee_fails_alone_and_is_recorded(make_rule, web_ticket, agent):
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    make_rule("Give to Aino", all=[WEB], actions=[
        {"type": "set_assignee", "value": agent.pk}, {"type": "add_tags", "value": ["web"]}])
    ticket = web_ticket()
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert list(ticket.tags.values_list("name", flat=True)) == ["web"]
    ((rule, detail),) = history(ticket, "rule_failed")
    assert rule == "Give to Aino" and detail.startswith("set_assignee")


def test_deleted_team_is_a_recorded_failure(make_rule, web_ticket, other_team):
    make_rule("To Billing", all=[WEB], actions=[{"type": "set_team", "value": other_team.pk}])
    other_team.delete()
    ticket = web_ticket()
    assert ticket.pk  # created all the same
    ((rule, detail),) = history(ticket, "rule_failed")
    assert "no longer exists" in detail


def test_assignment_by_a_rule_notifies_the_agent(make_rule, web_ticket, agent):
    from .conftest import emails

    make_rule("Give to Aino", all=[WEB], actions=[{"type": "set_assignee", "value": agent.pk}])
    web_ticket()
    (email,) = emails("assigned")
    assert email.to == agent.email


def test_agent_change_fires_ticket_updated(run, make_rule, ticket, agent):
    make_rule("Urgent watch", events=["ticket.updated"],
              all=[{"field": "priority", "op": "is", "value": "urgent"}],
              actions=[{"type": "add_tags", "value": ["escalated"]}])
    run(apply_ticket_changes, ticket=ticket, changes={"priority": "urgent"}, actor=agent,
        source="web")
    assert "escalated" in ticket.tags.values_list("name", flat=True)
