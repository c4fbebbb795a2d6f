"""Actions of the agent workspace: each runs its service."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tickets.models import Attachment, CannedResponse, Customer, Ticket


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def test_reply_and_set_solved(signed_in, ticket, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(reverse("tickets:reply", args=[ticket.pk]),
                       {"body": "Fixed it", "kind": "reply", "action": "send_solved"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED
    assert ticket.public_reply_count == 1
    assert ticket.messages.filter(public=True, author_type="agent", body_text="Fixed it").exists()


def test_reply_and_set_pending(signed_in, ticket):
    signed_in.post(reverse("tickets:reply", args=[ticket.pk]),
                   {"body": "Can you check?", "action": "send_pending"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING


def test_internal_note_is_not_public(signed_in, ticket):
    signed_in.post(reverse("tickets:reply", args=[ticket.pk]), {"body": "psst", "kind": "note"})
    ticket.refresh_from_db()
    assert ticket.public_reply_count == 0
    assert ticket.messages.get(body_text="psst").public is False


def test_empty_reply_shows_error(signed_in, ticket):
    response = signed_in.post(reverse("tickets:reply", args=[ticket.pk]), {"body": " "}, follow=True)
    assert "may not be blank" in response.text


def test_reply_to_other_teams_ticket_is_404(client, other_agent, ticket):
    client.force_login(other_agent)
    response = client.post(reverse("tickets:reply", args=[ticket.pk]), {"body": "hi"})
    assert response.status_code == 404
    assert ticket.messages.count() == 1


def test_side_panel_changes_through_services_and_returns_partial(signed_in, ticket, agent):
    response = signed_in.post(
        reverse("tickets:properties", args=[ticket.pk]),
        {"status": "pending", "priority": "urgent", "team": str(ticket.team_id),
         "assignee": str(agent.pk), "tags": "vip, printer"},
        headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<form id="sidepanel"')
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee) == ("pending", "urgent", agent)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["printer", "vip"]
    assert set(ticket.events.values_list("field", flat=True)) >= {"status", "priority", "assignee", "tags"}


def test_side_panel_refused_transition_is_shown_and_rolled_back(signed_in, ticket):
    ticket.status = Ticket.Status.CLOSED
    ticket.save(update_fields=["status"])
    response = signed_in.post(reverse("tickets:properties", args=[ticket.pk]),
                              {"status": "open", "priority": "high"}, headers={"HX-Request": "true"})
    assert "cannot go from Closed to Open" in response.text
    ticket.refresh_from_db()
    assert ticket.priority == "normal"


def test_merge_into_another_ticket(signed_in, ticket, customer, team):
    from tickets import services

    target = services.create_ticket(services.NewTicket(
        subject="Dup", body="same", customer=customer, team=team
    ))
    response = signed_in.post(reverse("tickets:merge", args=[ticket.pk]), {"target": target.reference,
                                                                   "confirm": "1"})
    assert response.url == target.get_absolute_url()
    ticket.refresh_from_db()
    assert ticket.merged_into == target


def _attachment(ticket):
    message = ticket.messages.first()
    item = Attachment(message=message, filename="log.txt", size=5)
    item.file.save("log.txt", ContentFile(b"hello"), save=False)
    item.save()
    return item


def test_attachment_downloads_for_team_agent(signed_in, ticket):
    item = _attachment(ticket)
    response = signed_in.get(reverse("tickets:attachment", args=[item.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"hello"
    assert "attachment" in response["Content-Disposition"]


def test_attachment_is_404_for_other_team(client, other_agent, ticket):
    item = _attachment(ticket)
    client.force_login(other_agent)
    assert client.get(reverse("tickets:attachment", args=[item.pk])).status_code == 404


def test_attachment_needs_login(client, ticket):
    item = _attachment(ticket)
    assert client.get(reverse("tickets:attachment", args=[item.pk])).status_code == 302


def test_presence_shows_other_agent_typing(client, agent, team_lead, ticket):
    url = reverse("tickets:presence", args=[ticket.pk])
    client.force_login(team_lead)
    client.post(url, {"typing": "1"})
    client.force_login(agent)
    response = client.post(url, {"typing": "0"})
    assert "Lea Lead is typing a reply" in response.text


def test_polled_presence_partial_does_not_poll_again_on_load(signed_in, ticket):
    response = signed_in.post(reverse("tickets:presence", args=[ticket.pk]))
    assert 'hx-trigger="every 10s"' in response.text


def test_presence_is_404_for_other_team(client, other_agent, ticket):
    client.force_login(other_agent)
    assert client.post(reverse("tickets:presence", args=[ticket.pk])).status_code == 404


def test_new_ticket_for_new_customer_by_phone(signed_in, agent, team, mailoutbox,
                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(reverse("tickets:new"), {
            "customer_email": "new.person@example.com", "customer_name": "New Person",
            "channel": "phone", "subject": "Called about invoice", "body": "Says it is wrong",
            "priority": "high", "team": team.pk, "assign_to_me": "on"})
    ticket = Ticket.objects.get(subject="Called about invoice")
    assert response.url == ticket.get_absolute_url()
    assert (ticket.channel, ticket.assignee, ticket.customer.name) == ("phone", agent, "New Person")
    assert ticket.events.get(field="created").actor == agent
    assert not any("Called about invoice" in m.subject for m in mailoutbox)  # acknowledge unticked


def test_new_ticket_reuses_existing_customer(signed_in, customer, team):
    signed_in.post(reverse("tickets:new"), {
        "customer_email": customer.email.upper(), "channel": "chat", "subject": "Chat",
        "body": "hello", "priority": "normal", "acknowledge": "on"})
    assert Customer.objects.count() == 1
    assert Ticket.objects.get(subject="Chat").customer == customer


def test_canned_response_create_edit_delete(signed_in, team):
    signed_in.post(reverse("tickets:canned_new"), {"title": "Thanks", "body": "Thanks!", "team": team.pk})
    canned = CannedResponse.objects.get()
    signed_in.post(reverse("tickets:canned_edit", args=[canned.pk]), {"title": "Thanks 2", "body": "x", "team": ""})
    canned.refresh_from_db()
    assert (canned.title, canned.team) == ("Thanks 2", None)
    signed_in.post(reverse("tickets:canned_delete", args=[canned.pk]))
    assert not CannedResponse.objects.exists()


def test_other_teams_canned_response_is_404(client, other_agent, team):
    canned = CannedResponse.objects.create(title="Ours", body="x", team=team)
    client.force_login(other_agent)
    assert client.get(reverse("tickets:canned_edit", args=[canned.pk])).status_code == 404
    assert client.post(reverse("tickets:canned_delete", args=[canned.pk])).status_code == 404


def test_personal_settings_change_language_and_time_zone(signed_in, agent):
    signed_in.post(reverse("tickets:settings"), {"name": "Aino", "language": "fi",
                                                 "time_zone": "America/New_York"})
    agent.refresh_from_db()
    assert (agent.language, agent.time_zone) == ("fi", "America/New_York")
    html = signed_in.get(reverse("tickets:queue")).text
    assert '<html lang="fi">' in html


def test_language_switcher_saves_on_user(signed_in, agent):
    signed_in.post(reverse("tickets:set_language"), {"language": "fi", "next": "/"})
    agent.refresh_from_db()
    assert agent.language == "fi"


def test_password_reset_sends_email(client, agent, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": agent.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


def test_login_page_renders_and_signs_in(client, agent):
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": agent.email, "password": "correct horse battery"})
    assert response.url == "/"


def test_merge_refuses_other_customers_ticket(signed_in, ticket, other_customer, team):
    from tickets import services

    target = services.create_ticket(services.NewTicket(
        subject="Other", body="x", customer=other_customer, team=team
    ))
    response = signed_in.post(reverse("tickets:merge", args=[ticket.pk]),
                              {"target": target.reference}, follow=True)
    assert "Only tickets of the same customer can be merged." in response.text
    ticket.refresh_from_db()
    assert ticket.merged_into is None


def test_merge_into_invisible_ticket_is_refused(signed_in, ticket, customer, other_team):
    from tickets import services

    hidden = services.create_ticket(services.NewTicket(
        subject="Hidden", body="x", customer=customer, team=other_team
    ))
    signed_in.post(reverse("tickets:merge", args=[ticket.pk]), {"target": hidden.reference})
    ticket.refresh_from_db()
    assert ticket.merged_into is None


def test_manager_assigns_agent_of_any_team(client, manager, other_agent, ticket):
    client.force_login(manager)
    client.post(reverse("tickets:properties", args=[ticket.pk]),
                {"assignee": str(other_agent.pk)}, headers={"HX-Request": "true"})
    ticket.refresh_from_db()
    assert ticket.assignee == other_agent


def test_agent_cannot_assign_agent_outside_their_teams(signed_in, other_agent, ticket):
    response = signed_in.post(reverse("tickets:properties", args=[ticket.pk]),
                              {"assignee": str(other_agent.pk)}, headers={"HX-Request": "true"})
    assert "Choose an agent of the ticket’s team or of your teams." in response.text
    ticket.refresh_from_db()
    assert ticket.assignee is None
