"""Signatures with placeholders, never doubled; Markdown formatting sent as sanitized
HTML with a plain-text part; the preview before sending."""

import email
from email import policy

import pytest
from django.urls import reverse

from tickets.models import CannedResponse, TeamMembership
from tickets.services.compose import send_reply

SIGNATURE = "Best regards,\n{{ agent.name }}, {{ team.name }}\nRe {{ ticket.reference }} for {{ customer.first_name }}"


@pytest.fixture
def signed_agent(agent):
    agent.signature = SIGNATURE
    agent.save(update_fields=["signature"])
    return agent


def _parts(mail):
    raw = email.message_from_bytes(mail.message().as_bytes(), policy=policy.default)
    return (raw.get_body(preferencelist=("plain",)).get_content(),
            raw.get_body(preferencelist=("html",)).get_content())


def test_personal_signature_ends_public_replies_with_placeholders_filled(ticket, signed_agent,
                                                                        send, mailoutbox):
    message = send(send_reply, ticket=ticket, agent=signed_agent, body="Fixed it.")
    filled = f"Aino Agent, Support\nRe {ticket.reference} for Kalle"
    assert message.signed and message.body_text.endswith(filled)
    text, html = _parts(mailoutbox[0])
    assert filled in text and "Aino Agent, Support" in html
    assert "\nAino\nHelpdesk" not in text  # the template's sign-off gives way to the signature


def test_notes_carry_no_signature(ticket, signed_agent):
    note = send_reply(ticket=ticket, agent=signed_agent, body="internal", public=False)
    assert not note.signed and "Best regards" not in note.body_text


def test_team_signature_is_used_when_the_agent_has_none(ticket, agent, team):
    team.signature = "The {{ team.name }} team"
    team.save(update_fields=["signature"])
    message = send_reply(ticket=ticket, agent=agent, body="Done.")
    assert message.body_text.endswith("The Support team")


def test_signature_already_in_a_canned_response_is_not_added_twice(ticket, signed_agent):
    body = f"Thanks for waiting.\n\nBest regards,\nAino Agent, Support\nRe {ticket.reference} for Kalle"
    message = send_reply(ticket=ticket, agent=signed_agent, body=body)
    assert message.body_text.count("Best regards") == 1


def test_markdown_becomes_sanitized_html_and_a_plain_text_part(ticket, agent, send, mailoutbox):
    body = ("**Important**: do *this*\n\n- one\n- two\n\n1. first\n\n"
            "[the manual](https://example.com/manual) <script>alert(1)</script>"
            "\n\n[bad](javascript:alert(1))")
    message = send(send_reply, ticket=ticket, agent=agent, body=body)
    html = message.body_html
    assert "<strong>Important</strong>" in html and "<em>this</em>" in html
    assert "<ul>\n<li>one</li>" in html and "<ol>" in html
    assert 'href="https://example.com/manual"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html  # shown as text, never run
    assert 'href="javascript' not in html
    assert "the manual (https://example.com/manual)" in message.body_text
    assert "- one\n- two" in message.body_text
    mail = mailoutbox[0]
    assert mail.alternatives[0].mimetype == "text/html"
    text, sent_html = _parts(mail)
    assert "<strong>Important</strong>" in sent_html and "Important: do this" in text


def test_line_breaks_of_a_plain_reply_are_kept(ticket, agent):
    message = send_reply(ticket=ticket, agent=agent, body="Hello,\nsecond line\n\nThanks")
    assert message.body_text == "Hello,\nsecond line\n\nThanks"


def test_preview_shows_formatting_signature_and_copies(client, signed_agent, ticket):
    client.force_login(signed_agent)
    response = client.post(reverse("tickets:reply_preview", args=[ticket.pk]),
                           {"body": "**Hi**", "kind": "reply", "cc": "boss@example.com"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Hi</strong>" in page and "Aino Agent, Support" in page
    assert "boss@example.com" in page


def test_preview_of_a_note_has_no_signature(client, signed_agent, ticket):
    client.force_login(signed_agent)
    page = client.post(reverse("tickets:reply_preview", args=[ticket.pk]),
                       {"body": "note", "kind": "note"}).content.decode()
    assert "Best regards" not in page


def test_canned_response_placeholders_include_the_new_ones(client, agent, ticket):
    CannedResponse.objects.create(title="Hi", body="Hi {{ customer.first_name }} from {{ team.name }}")
    client.force_login(agent)
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert 'data-body="Hi Kalle from Support"' in page


def test_personal_signature_is_saved_on_the_settings_page(client, agent):
    client.force_login(agent)
    response = client.post(reverse("tickets:settings"), {
        "name": agent.name, "language": "", "time_zone": "", "signature": "Cheers, {{ agent.name }}"})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.signature == "Cheers, {{ agent.name }}"


@pytest.mark.parametrize(("who", "sees", "may_save"), [
    ("agent", False, False), ("lead", True, True), ("manager", True, True)])
def test_team_signature_page_is_for_managers_and_the_teams_lead(client, agent, manager, team,
                                                               who, sees, may_save):
    user = {"agent": agent, "manager": manager}.get(who)
    if who == "lead":
        user = agent
        TeamMembership.objects.filter(team=team, user=agent).update(is_lead=True)
    client.force_login(user)
    page = client.get(reverse("tickets:team_signatures")).content.decode()
    assert (f'name="team" value="{team.pk}"' in page) is sees
    response = client.post(reverse("tickets:team_signatures"),
                           {"team": team.pk, "signature": "Team {{ team.name }}"})
    team.refresh_from_db()
    assert (team.signature == "Team {{ team.name }}") is may_save
    assert response.status_code == (302 if may_save else 404)


def test_team_signature_page_queries_do_not_grow_with_teams(client, manager,
                                                           django_assert_max_num_queries):
    from tickets.models import Team

    client.force_login(manager)
    client.get(reverse("tickets:team_signatures"))
    Team.objects.bulk_create([Team(name=f"Team {i}") for i in range(15)])
    with django_assert_max_num_queries(8):
        page = client.get(reverse("tickets:team_signatures")).content.decode()
    assert page.count('name="signature"') >= 16
