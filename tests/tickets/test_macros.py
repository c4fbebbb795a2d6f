"""Macros: validation, visibility, preview, apply (page, API, bulk)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from helpdesk.models import OutboundEmail
from tests.conftest import api_client_for
from tests.factories import CustomerFactory
from tickets import services
from tickets.models import Macro, Message, Ticket, TicketEvent
from tickets.services import macros as macro_services

REPLY = "Hello {{ customer.name }}, {{ ticket.reference }} is waiting for your answer. — {{ agent.name }}"


@pytest.fixture
def waiting_macro(agent):
    """The agent's personal "Ask for details" macro."""
    return macro_services.save_macro(name="Ask for details", shared=False, actor=agent, actions=[
        {"type": "reply", "value": REPLY},
        {"type": "set_status", "value": "pending"},
        {"type": "add_tags", "value": ["needs-info"]},
        {"type": "add_note", "value": "Asked {{ customer.email }} for details."},
    ])


@pytest.fixture
def shared_macro(manager, other_team):
    return macro_services.save_macro(name="Escalate to billing", shared=True, actor=manager,
                                     actions=[{"type": "set_team", "value": other_team.pk},
                                              {"type": "set_priority", "value": "high"}])


# -- saving and validation ------------------------------------------------------------------

def test_actions_are_stored_in_canonical_order(waiting_macro, agent):
    assert waiting_macro.owner == agent and not waiting_macro.shared
    assert [a["type"] for a in waiting_macro.actions] == ["reply", "set_status", "add_tags",
                                                          "add_note"]


@pytest.mark.parametrize("actions, fragment", [
    ([{"type": "set_colour", "value": "red"}], "set_colour"),
    ([{"type": "set_status", "value": "exploded"}], "set_status"),
    ([{"type": "set_priority", "value": 3}], "set_priority"),
    ([{"type": "add_tags", "value": "vip"}], "add_tags"),
    ([{"type": "reply", "value": ""}], "reply"),
    ([{"type": "set_assignee", "value": "someone"}], "set_assignee"),
    ([{"type": "set_team", "value": "1"}], "set_team"),
    ([{"type": "reply"}], "type"),
    ([{"type": "reply", "value": "a"}, {"type": "reply", "value": "b"}], "reply"),
    ([], "action"),
])
def test_bad_actions_are_refused_naming_them(agent, actions, fragment):
    with pytest.raises(ValidationError) as info:
        macro_services.save_macro(name="Bad", shared=False, actor=agent, actions=actions)
    assert list(info.value.message_dict) == ["actions"]
    assert fragment in info.value.message_dict["actions"][0].lower() or fragment == "action"
    assert not Macro.objects.exists()


def test_agent_cannot_save_a_macro_moving_tickets_to_a_team_they_may_not_use(agent, other_team):
    with pytest.raises(ValidationError) as info:
        macro_services.save_macro(name="Away", shared=False, actor=agent,
                                  actions=[{"type": "set_team", "value": other_team.pk}])
    assert "set_team" in info.value.message_dict["actions"][0]


def test_only_managers_share_macros(agent, manager):
    with pytest.raises(ValidationError) as info:
        macro_services.save_macro(name="Mine", shared=True, actor=agent,
                                  actions=[{"type": "set_priority", "value": "low"}])
    assert list(info.value.message_dict) == ["shared"]
    macro = macro_services.save_macro(name="Ours", shared=True, actor=manager,
                                      actions=[{"type": "set_priority", "value": "low"}])
    assert macro.shared


def test_personal_macros_are_visible_only_to_their_owner(waiting_macro, shared_macro, agent,
                                                         other_agent, manager):
    assert set(macro_services.visible_macros(agent)) == {waiting_macro, shared_macro}
    assert set(macro_services.visible_macros(other_agent)) == {shared_macro}
    assert set(macro_services.visible_macros(manager)) == {shared_macro}
    assert not macro_services.can_edit(agent, shared_macro)
    assert not macro_services.can_edit(manager, waiting_macro)


# -- preview and apply -----------------------------------------------------------------------

def test_preview_fills_placeholders_and_lists_changes_without_writing(waiting_macro, ticket,
                                                                      agent):
    events = TicketEvent.objects.count()
    preview = macro_services.preview_macro(macro=waiting_macro, ticket=ticket, actor=agent)
    assert preview.reply == (f"Hello Kalle Customer, {ticket.reference} is waiting for your "
                             "answer. — Aino Agent")
    assert preview.note == "Asked customer@example.com for details."
    assert ("Status", "New", "Pending") in preview.fields
    assert ("Tags", "—", "needs-info") in preview.fields
    assert preview.problems == []
    assert TicketEvent.objects.count() == events
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW


def test_preview_warns_when_the_agent_may_not_apply_a_change(shared_macro, ticket, agent):
    preview = macro_services.preview_macro(macro=shared_macro, ticket=ticket, actor=agent)
    assert any("Billing" in p for p in preview.problems)


def test_apply_changes_fields_and_adds_the_note_but_leaves_the_reply_to_the_agent(
        waiting_macro, ticket, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        applied = macro_services.apply_macro(macro=waiting_macro, ticket=ticket, actor=agent,
                                             send_reply=False)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    assert list(ticket.tags.values_list("name", flat=True)) == ["needs-info"]
    assert applied.reply.startswith("Hello Kalle Customer")
    assert applied.message is None
    notes = Message.objects.filter(ticket=ticket, author_type="agent")
    assert [(m.public, m.body_text) for m in notes] == [
        (False, "Asked customer@example.com for details.")]
    assert applied.changes["status"] == ["new", "pending"]


def test_apply_with_send_reply_emails_the_filled_reply(waiting_macro, ticket, agent,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        macro_services.apply_macro(macro=waiting_macro, ticket=ticket, actor=agent,
                                   send_reply=True)
    reply = Message.objects.get(ticket=ticket, author_type="agent", public=True)
    assert reply.body_text.startswith("Hello Kalle Customer")
    assert OutboundEmail.objects.filter(ticket_id=ticket.pk, kind="agent_reply",
                                        body_text__contains="Hello Kalle Customer").exists()


def test_policy_of_the_applying_agent_refuses_a_team_they_may_not_use(shared_macro, ticket,
                                                                      agent):
    with pytest.raises(ValidationError):
        macro_services.apply_macro(macro=shared_macro, ticket=ticket, actor=agent,
                                   send_reply=False)
    ticket.refresh_from_db()
    assert ticket.team.name == "Support" and ticket.priority == "normal"  # nothing applied


def test_another_agents_personal_macro_cannot_be_applied(waiting_macro, ticket, other_agent):
    with pytest.raises(ValidationError) as info:
        macro_services.apply_macro(macro=waiting_macro, ticket=ticket, actor=other_agent,
                                   send_reply=False)
    assert list(info.value.message_dict) == ["macro"]


def test_assign_to_whoever_applies(agent, ticket):
    macro = macro_services.save_macro(name="Take it", shared=False, actor=agent,
                                      actions=[{"type": "set_assignee", "value": "me"}])
    macro_services.apply_macro(macro=macro, ticket=ticket, actor=agent, send_reply=False)
    ticket.refresh_from_db()
    assert ticket.assignee == agent


# -- API ---------------------------------------------------------------------------------------

def test_api_lists_visible_macros_and_creates_personal_ones(api, waiting_macro, shared_macro,
                                                            agent):
    response = api.get("/api/v1/macros/")
    assert response.status_code == 200
    assert {m["name"] for m in response.data["results"]} == {"Ask for details",
                                                             "Escalate to billing"}
    created = api.post("/api/v1/macros/", {"name": "Close as spam", "actions": [
        {"type": "add_tags", "value": ["spam"]}, {"type": "set_status", "value": "solved"}]},
        format="json")
    assert created.status_code == 201, created.data
    assert created.data["shared"] is False and created.data["owner"] == agent.pk
    assert created.data["actions"][0] == {"type": "set_status", "value": "solved"}


@pytest.mark.parametrize("payload, field", [
    ({"name": "x", "actions": [{"type": "nope", "value": 1}]}, "actions"),
    ({"name": "x", "actions": [{"type": "set_status", "value": 1}]}, "actions"),
    ({"name": "x", "shared": True, "actions": [{"type": "set_status", "value": "open"}]},
     "shared"),
    ({"name": "", "actions": [{"type": "set_status", "value": "open"}]}, "name"),
    ({"name": "x", "actions": [{"type": "set_status", "value": "open"}], "colour": 1}, "colour"),
])
def test_api_refuses_bad_macros_naming_the_field(api, payload, field):
    response = api.post("/api/v1/macros/", payload, format="json")
    assert response.status_code == 400
    assert list(response.data) == [field]


def test_api_apply_macro(api, waiting_macro, ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/tickets/{ticket.pk}/apply_macro/",
                            {"macro": waiting_macro.pk, "send_reply": False}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["ticket"]["status"] == "pending"
    assert response.data["ticket"]["tags"] == ["needs-info"]
    assert response.data["reply"].startswith("Hello Kalle Customer")
    assert response.data["reply_sent"] is False


def test_api_apply_refuses_unknown_or_foreign_macros(waiting_macro, ticket, other_agent,
                                                     manager):
    client = api_client_for(manager)
    response = client.post(f"/api/v1/tickets/{ticket.pk}/apply_macro/",
                           {"macro": waiting_macro.pk}, format="json")
    assert response.status_code == 400 and list(response.data) == ["macro"]
    bad = client.post(f"/api/v1/tickets/{ticket.pk}/apply_macro/", {"macro": "x"}, format="json")
    assert bad.status_code == 400 and list(bad.data) == ["macro"]
    hidden = api_client_for(other_agent).post(f"/api/v1/tickets/{ticket.pk}/apply_macro/",
                                              {"macro": waiting_macro.pk}, format="json")
    assert hidden.status_code == 404  # the ticket is not theirs to see


# -- pages -------------------------------------------------------------------------------------

def test_macros_page_lists_personal_and_shared_in_constant_queries(
        client, agent, waiting_macro, shared_macro, manager, django_assert_num_queries):
    client.force_login(agent)
    client.get(reverse("tickets:macro_list"))
    with django_assert_num_queries(3):  # user, macros, team names
        response = client.get(reverse("tickets:macro_list"))
    assert response.status_code == 200
    text = response.text
    assert "Ask for details" in text and "Escalate to billing" in text
    assert "Team: Billing" in text
    # Only the owner's macro has an edit link for the agent.
    assert reverse("tickets:macro_edit", args=[waiting_macro.pk]) in text
    assert reverse("tickets:macro_edit", args=[shared_macro.pk]) not in text


def test_agent_creates_a_macro_from_the_form(client, agent, team):
    client.force_login(agent)
    response = client.post(reverse("tickets:macro_new"), {
        "name": "Solve politely", "reply": "Thanks {{ customer.name }}!", "set_status": "solved",
        "set_priority": "", "set_team": str(team.pk), "set_assignee": "me",
        "add_tags": "thanked, polite", "remove_tags": "", "add_note": ""})
    assert response.status_code == 302
    macro = Macro.objects.get()
    assert macro.owner == agent
    assert macro.action("add_tags") == ["polite", "thanked"]
    assert macro.action("set_assignee") == "me"


def test_form_shows_service_errors_beside_the_field(client, agent, other_team):
    client.force_login(agent)
    response = client.post(reverse("tickets:macro_new"), {"name": "Empty"})
    assert response.status_code == 200
    assert "Add at least one action." in response.text
    assert not Macro.objects.exists()


def test_agent_cannot_edit_a_shared_macro(client, agent, shared_macro):
    client.force_login(agent)
    assert client.get(reverse("tickets:macro_edit", args=[shared_macro.pk])).status_code == 404
    assert client.post(reverse("tickets:macro_delete",
                               args=[shared_macro.pk])).status_code == 404
    assert Macro.objects.filter(pk=shared_macro.pk).exists()


def test_ticket_page_preview_and_apply_put_the_reply_in_the_reply_box(
        client, agent, ticket, waiting_macro):
    client.force_login(agent)
    page = client.get(ticket.get_absolute_url())
    assert 'id="macro-picker"' in page.text and "Ask for details" in page.text
    preview = client.get(reverse("tickets:macro_preview", args=[ticket.pk, waiting_macro.pk]))
    assert preview.status_code == 200
    assert "Hello Kalle Customer" in preview.text and "Pending" in preview.text
    response = client.post(reverse("tickets:macro_apply", args=[ticket.pk, waiting_macro.pk]),
                           {"draft": "My own words."})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    page = client.get(ticket.get_absolute_url())
    assert "My own words.\n\nHello Kalle Customer" in page.text
    assert "Hello Kalle Customer" not in client.get(ticket.get_absolute_url()).text.split(
        "<textarea")[1].split("</textarea>")[0]  # the draft is handed over once


def test_ticket_page_query_count_with_macros_is_constant(client, agent, ticket, waiting_macro,
                                                         django_assert_max_num_queries):
    client.force_login(agent)
    client.get(ticket.get_absolute_url())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(ticket.get_absolute_url())
    expected = len(before)  # read now: the next request empties the connection's log
    for n in range(5):
        macro_services.save_macro(name=f"m{n}", shared=False, actor=agent,
                                  actions=[{"type": "set_priority", "value": "low"}])
    client.get(ticket.get_absolute_url())  # the new macros are read into the copy once
    with django_assert_max_num_queries(expected):
        client.get(ticket.get_absolute_url())


def test_bulk_apply_macro_sends_the_reply_to_each_customer(
        client, agent, team, waiting_macro, django_capture_on_commit_callbacks):
    tickets = [services.create_ticket(services.NewTicket(
        subject=f"T{n}", body="b", team=team, customer=CustomerFactory()
    )) for n in range(3)]
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tickets:bulk"), {
            "ids": [t.pk for t in tickets], "action": "macro", "value": str(waiting_macro.pk)})
    assert response.status_code == 302
    for t in tickets:
        t.refresh_from_db()
        assert t.status == Ticket.Status.PENDING
        assert Message.objects.filter(ticket=t, public=True, author_type="agent").count() == 1


def test_bulk_apply_is_all_or_nothing(client, agent, team, waiting_macro):
    ok = services.create_ticket(services.NewTicket(
        subject="ok", body="b", team=team, customer=CustomerFactory()
    ))
    closed = services.create_ticket(services.NewTicket(
        subject="closed", body="b", team=team, customer=CustomerFactory()
    ))
    services.solve_ticket(ticket=closed, actor=agent)
    services.close_ticket(ticket=closed, actor=agent)
    client.force_login(agent)
    client.post(reverse("tickets:bulk"), {"ids": [ok.pk, closed.pk], "action": "macro",
                                          "value": str(waiting_macro.pk)})
    ok.refresh_from_db()
    assert ok.status == Ticket.Status.NEW
    assert not Message.objects.filter(ticket=ok, author_type="agent").exists()


@pytest.mark.parametrize("name", ["tickets:macro_list", "tickets:macro_new"])
def test_macro_pages_need_a_staff_login_and_open_for_agents_and_managers(client, agent, manager,
                                                                        name):
    assert client.get(reverse(name)).status_code == 302
    for user in (agent, manager):
        client.force_login(user)
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert ('name="shared"' in response.text) == (user == manager and name.endswith("new"))


def test_schema_lists_the_macro_endpoints(db):
    import yaml
    from rest_framework.test import APIClient

    paths = yaml.safe_load(APIClient().get("/api/schema/").content)["paths"]
    assert set(paths["/api/v1/macros/"]) >= {"get", "post"}
    assert "post" in paths["/api/v1/tickets/{id}/apply_macro/"]
