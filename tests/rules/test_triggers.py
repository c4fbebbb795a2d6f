"""Triggers: conditions, actions, history, once per event, failures that block nothing."""

import pytest
from django.urls import reverse

from rules import engine
from tickets import services as ticket_services

from .conftest import emails, history

WEB = {"field": "channel", "op": "is", "value": "web"}


def test_matching_trigger_fires_and_is_recorded_with_its_name(make_rule, web_ticket):
    make_rule("Note web tickets", all=[WEB],
              actions=[{"type": "add_note", "value": "From the web: {{ticket.subject}}"}])
    ticket = web_ticket()
    assert ("ticket.created", "Note web tickets") in history(ticket)
    note = ticket.messages.get(public=False)
    assert note.body_text == "From the web: Invoice is wrong"


def test_non_matching_trigger_does_not_fire(make_rule, web_ticket):
    make_rule("Email only", all=[{"field": "channel", "op": "is", "value": "email"}],
              actions=[{"type": "add_note", "value": "x"}])
    ticket = web_ticket()
    assert ("ticket.created", "Email only") not in history(ticket)
    assert not ticket.messages.filter(public=False).exists()


def test_inactive_trigger_does_not_fire(make_rule, web_ticket):
    make_rule("Off", all=[WEB], actions=[{"type": "add_note", "value": "x"}], active=False)
    assert ("ticket.created", "Off") not in history(web_ticket())


@pytest.mark.parametrize(("condition", "fires"), [
    ({"field": "subject", "op": "contains", "value": "INVOICE"}, True),
    ({"field": "subject", "op": "not_contains", "value": "invoice"}, False),
    ({"field": "body", "op": "contains", "value": "fix my"}, True),
    ({"field": "customer_email", "op": "is", "value": "Customer@Example.com"}, True),
    ({"field": "customer_domain", "op": "in", "value": ["example.org", "example.com"]}, True),
    ({"field": "customer_domain", "op": "is_not", "value": "example.com"}, False),
    ({"field": "priority", "op": "in", "value": ["high", "urgent"]}, False),
    ({"field": "status", "op": "is", "value": "new"}, True),
    ({"field": "language", "op": "is", "value": "en"}, True),
    ({"field": "organization", "op": "is", "value": None}, True),
    ({"field": "organization_tier", "op": "is", "value": ""}, True),
    ({"field": "tags", "op": "contains", "value": "vip"}, True),
    ({"field": "tags", "op": "not_contains", "value": "vip"}, False),
    ({"field": "hours_since_created", "op": "lt", "value": 1}, True),
    ({"field": "hours_since_created", "op": "gt", "value": 1}, False),
    ({"field": "changed", "op": "contains", "value": "team"}, True),
])
def test_conditions(make_rule, web_ticket, condition, fires):
    make_rule("Check", all=[condition], actions=[{"type": "add_note", "value": "hit"}])
    ticket = web_ticket(tags=["vip"])
    assert (("ticket.created", "Check") in history(ticket)) is fires


def test_team_condition(make_rule, web_ticket, team, other_team):
    make_rule("Support", all=[{"field": "team", "op": "is", "value": team.pk}],
              actions=[{"type": "add_note", "value": "x"}])
    make_rule("Billing", all=[{"field": "team", "op": "is", "value": other_team.pk}],
              actions=[{"type": "add_note", "value": "x"}])
    names = [name for _event, name in history(web_ticket())]
    assert "Support" in names and "Billing" not in names


def test_any_group_needs_one(make_rule, web_ticket):
    make_rule("Any", all=[WEB], any=[{"field": "priority", "op": "is", "value": "urgent"},
                                     {"field": "subject", "op": "contains", "value": "invoice"}],
              actions=[{"type": "add_note", "value": "x"}])
    make_rule("None", all=[WEB], any=[{"field": "priority", "op": "is", "value": "urgent"}],
              actions=[{"type": "add_note", "value": "x"}])
    names = [name for _event, name in history(web_ticket())]
    assert "Any" in names and "None" not in names


def test_organization_tier(make_rule, web_ticket, customer):
    from tests.factories import OrganizationFactory

    customer.organization = OrganizationFactory(tier="premium")
    customer.save(update_fields=["organization"])
    make_rule("Premium", all=[{"field": "organization_tier", "op": "in",
                               "value": ["premium", "enterprise"]}],
              actions=[{"type": "add_note", "value": "x"}])
    assert ("ticket.created", "Premium") in history(web_ticket())


def test_business_hours_condition(make_rule, web_ticket, time_machine):
    from tickets.models import BusinessCalendar, WorkingInterval

    calendar = BusinessCalendar.objects.create(name="Office", time_zone="Europe/Helsinki",
                                               holiday_country="", is_default=True)
    for day in range(5):
        WorkingInterval.objects.create(calendar=calendar, weekday=day, start="08:00", end="16:00")
    make_rule("Office hours", all=[{"field": "business_hours", "op": "is", "value": True}],
              actions=[{"type": "add_note", "value": "x"}])
    time_machine.move_to("2026-03-04 10:00 +02:00")  # a Wednesday morning
    assert ("ticket.created", "Office hours") in history(web_ticket())
    time_machine.move_to("2026-03-07 10:00 +02:00")  # a Saturday
    assert ("ticket.created", "Office hours") not in history(web_ticket())


def test_customer_reply_event_and_message_body(run, make_rule, ticket, customer):
    make_rule("Angry", events=["message.customer"],
              all=[{"field": "body", "op": "contains", "value": "refund"}],
              actions=[{"type": "add_note", "value": "Said: {{message.body}}"}])
    run(ticket_services.add_customer_message, ticket=ticket, customer=customer,
        body="I want a refund")
    assert ("message.customer", "Angry") in history(ticket)
    assert ticket.messages.get(public=False).body_text == "Said: I want a refund"


def test_first_message_is_not_a_customer_reply_event(make_rule, web_ticket):
    make_rule("Reply", events=["message.customer"], actions=[{"type": "add_note", "value": "x"}])
    assert history(web_ticket()) == []


def test_agent_reply_event_but_not_for_notes(run, make_rule, ticket, agent):
    make_rule("Agent spoke", events=["message.agent"],
              actions=[{"type": "email_address", "value": {
                  "to": "qa@example.com", "subject": "Reply on {{ticket.reference}}",
                  "body": "{{message.body}}"}}])
    run(ticket_services.add_internal_note, ticket=ticket, agent=agent, body="secret")
    assert emails("rule") == []
    run(ticket_services.reply_to_ticket, ticket=ticket, agent=agent, body="Try again")
    (email,) = emails("rule")
    assert (email.to, email.subject, email.body_text) == (
        "qa@example.com", f"Reply on {ticket.reference}", "Try again")


def test_solved_closed_reopened_events(run, make_rule, ticket, agent, customer):
    for event in ("ticket.solved", "ticket.closed", "ticket.reopened"):
        make_rule(event, events=[event], actions=[{"type": "add_note", "value": event}])
    run(ticket_services.solve_ticket, ticket=ticket, actor=agent)
    run(ticket_services.add_customer_message, ticket=ticket, customer=customer, body="Again")
    ticket.refresh_from_db()
    run(ticket_services.solve_ticket, ticket=ticket, actor=agent)
    run(ticket_services.close_ticket, ticket=ticket, actor=agent)
    assert [name for _e, name in history(ticket) if name.startswith("ticket.")] == [
        "ticket.solved", "ticket.reopened", "ticket.solved", "ticket.closed"]


def test_email_customer_in_their_language(make_rule, web_ticket, customer):
    customer.language = "fi"
    customer.save(update_fields=["language"])
    make_rule("Welcome", all=[WEB], actions=[{"type": "email_customer", "value": {
        "subject": {"en": "Hello {{customer.name}}", "fi": "Hei {{customer.name}}"},
        "body": {"en": "Status: {{ticket.status}}", "fi": "Tila: {{ticket.status}}"}}}])
    ticket = web_ticket()
    (email,) = emails("rule")
    assert email.to == customer.email and email.language == "fi"
    assert email.subject == "Hei Kalle Customer"
    assert email.headers["X-Helpdesk-Ticket"] == ticket.reference
    assert email.headers["Auto-Submitted"] == "auto-generated"


def test_email_team_and_a_missing_assignee_failure_is_recorded(make_rule, web_ticket, team):
    make_rule("Tell them", all=[WEB], actions=[
        {"type": "email_assignee", "value": {"subject": "New", "body": "New ticket"}},
        {"type": "email_team", "value": {"subject": "New {{ticket.reference}}",
                                         "body": "{{ticket.url}}"}}])
    ticket = web_ticket()
    (email,) = emails("rule")
    assert email.to == team.email
    assert ticket.get_absolute_url() in email.body_text
    (failure,) = history(ticket, "rule_failed")
    assert failure[0] == "Tell them" and failure[1].startswith("email_assignee")


def test_a_broken_action_never_blocks_the_ticket_change(make_rule, web_ticket, monkeypatch):
    from rules import actions

    def explode(**kwargs):
        raise RuntimeError("mail server on fire")

    monkeypatch.setitem(actions.OTHER_ACTIONS, "add_note", explode)
    make_rule("Broken", all=[WEB], actions=[{"type": "add_note", "value": "x"}])
    ticket = web_ticket()
    assert ticket.pk and ticket.messages.count() == 1
    assert history(ticket, "rule_failed") == [("Broken", "add_note: mail server on fire")]



def test_history_shows_the_rule_by_name(client, manager, make_rule, web_ticket):
    make_rule("Route web", all=[WEB], actions=[{"type": "add_note", "value": "x"}])
    ticket = web_ticket()
    client.force_login(manager)
    # The history the ticket page loads when it is opened.
    html = client.get(reverse("tickets:history", args=[ticket.pk]),
                      headers={"HX-Request": "true"}).content.decode()
    assert "Rule “Route web” ran" in html


def test_rules_are_cached_per_version(make_rule, web_ticket, django_assert_num_queries):
    make_rule("Cached", all=[WEB], actions=[{"type": "add_note", "value": "x"}])
    engine.triggers_by_event()
    with django_assert_num_queries(0):
        engine.triggers_by_event()
    make_rule("Another", all=[WEB], actions=[{"type": "add_note", "value": "x"}])
    with django_assert_num_queries(1):
        rules = engine.triggers_by_event()["ticket.created"]
    assert [r.name for r in rules][-2:] == ["Cached", "Another"]


def test_evaluation_without_tag_or_body_rules_costs_one_query(make_rule, ticket,
                                                              django_assert_num_queries):
    for i in range(50):
        make_rule(f"Never {i}", events=["ticket.reopened"],
                  all=[{"field": "channel", "op": "is", "value": "phone"}],
                  actions=[{"type": "add_note", "value": "x"}])
    engine.triggers_by_event()
    with django_assert_num_queries(1):  # the ticket; no query per rule
        assert engine.handle_event(engine.Event("ticket.reopened", ticket.pk)) == []


