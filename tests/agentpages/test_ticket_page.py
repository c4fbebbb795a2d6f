"""The ticket page: header freshness, stale-reply warning, note mode, merge, history."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from tickets import services
from tickets.models import Message, SLAPolicy, Ticket, TicketEvent
from tickets.services.events import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def _version(response):
    return {"seen_message": str(response.context["page_version"].message),
            "seen_event": str(response.context["page_version"].event)}


# --- Header freshness -------------------------------------------------------------------

def test_side_panel_change_sends_the_header_out_of_band(signed_in, ticket):
    response = signed_in.post(reverse("tickets:properties", args=[ticket.pk]),
                              {"priority": "urgent", "status": "pending"}, HTTP_HX_REQUEST="true")
    text = response.text
    assert 'id="sidepanel"' in text
    head = text[text.rindex("<header", 0, text.index('id="ticket-head"')):]
    assert 'hx-swap-oob="true"' in head.split(">")[0]
    assert 'id="head-priority">Urgent<' in head
    assert 'id="head-status">Pending<' in head


def test_header_shows_the_new_sla_due_after_a_priority_change(signed_in, ticket):
    before = ticket.sla.first_response_due_at
    response = signed_in.post(reverse("tickets:properties", args=[ticket.pk]),
                              {"priority": "urgent"}, HTTP_HX_REQUEST="true")
    ticket.refresh_from_db()
    ticket.sla.refresh_from_db()
    assert ticket.sla.first_response_due_at != before  # the urgent policy's target
    from django.utils import formats, timezone
    shown = formats.date_format(timezone.localtime(ticket.sla.first_response_due_at),
                                "SHORT_DATETIME_FORMAT")
    head = response.text[response.text.index('id="ticket-head"'):]
    assert shown in head.split("</header>")[0]


# --- Stale reply warning --------------------------------------------------------------

def test_reply_is_held_when_another_agent_replied_since_the_page_opened(
        signed_in, ticket, team_lead, mailoutbox):
    version = _version(signed_in.get(ticket.get_absolute_url()))
    services.reply_to_ticket(ticket=ticket, agent=team_lead, body="I am on it already.")
    response = signed_in.post(reverse("tickets:reply", args=[ticket.pk]),
                              {"body": "My own answer", "kind": "reply", "action": "send_solved",
                               **version})
    assert response.status_code == 409
    assert "This ticket was updated since you opened it" in response.text
    assert "I am on it already." in response.text.split('data-stale-warning')[1]
    assert ">My own answer</textarea>" in response.text  # nothing typed is lost
    assert 'name="action" value="send_solved"' in response.text  # send anyway keeps the action
    assert not Message.objects.filter(body_text="My own answer").exists()
    ticket.refresh_from_db()
    assert ticket.status != Ticket.Status.SOLVED


def test_send_anyway_from_the_warning_sends(signed_in, ticket, team_lead):
    signed_in.get(ticket.get_absolute_url())
    old = _version(signed_in.get(ticket.get_absolute_url()))
    services.reply_to_ticket(ticket=ticket, agent=team_lead, body="Lead's reply")
    warned = signed_in.post(reverse("tickets:reply", args=[ticket.pk]),
                            {"body": "Mine", "kind": "reply", **old})
    response = signed_in.post(reverse("tickets:reply", args=[ticket.pk]),
                              {"body": "Mine", "kind": "reply", **_version(warned)})
    assert response.status_code == 302
    assert Message.objects.filter(body_text="Mine", author_user__isnull=False).count() == 1


def test_warning_lists_another_agents_change_in_words(signed_in, ticket, team_lead):
    version = _version(signed_in.get(ticket.get_absolute_url()))
    services.apply_ticket_changes(ticket=ticket, changes={"priority": "high"}, actor=team_lead,
                                  source="web")
    response = signed_in.post(reverse("tickets:reply", args=[ticket.pk]),
                              {"body": "Note", "kind": "note", **version})
    warning = response.text.split("data-stale-warning")[1].split("</div>")[0]
    assert "Changed the priority from Normal to High" in warning
    assert "Lea Lead" in warning
    assert 'value="note" checked' in response.text  # still a note


def test_a_customer_message_since_warns_too(signed_in, ticket, customer):
    version = _version(signed_in.get(ticket.get_absolute_url()))
    services.add_customer_message(ticket=ticket, customer=customer, body="Any news?")
    response = signed_in.post(reverse("tickets:reply", args=[ticket.pk]),
                              {"body": "Hello", "kind": "reply", **version})
    assert response.status_code == 409
    assert "Any news?" in response.text.split("data-stale-warning")[1]


def test_own_side_panel_changes_do_not_warn(signed_in, ticket):
    version = _version(signed_in.get(ticket.get_absolute_url()))
    signed_in.post(reverse("tickets:properties", args=[ticket.pk]), {"priority": "urgent"},
                   HTTP_HX_REQUEST="true")  # also re-evaluates the SLA policy (actor: me)
    response = signed_in.post(reverse("tickets:reply", args=[ticket.pk]),
                              {"body": "Fine", "kind": "reply", **version})
    assert response.status_code == 302
    assert Message.objects.filter(body_text="Fine").exists()


def test_reply_without_a_version_is_not_held(signed_in, ticket, team_lead):
    services.reply_to_ticket(ticket=ticket, agent=team_lead, body="Lead")
    response = signed_in.post(reverse("tickets:reply", args=[ticket.pk]),
                              {"body": "Old client", "kind": "reply"})
    assert response.status_code == 302


def test_warning_page_for_other_teams_ticket_is_404(client, other_agent, ticket):
    client.force_login(other_agent)
    response = client.post(reverse("tickets:reply", args=[ticket.pk]),
                           {"body": "x", "kind": "reply", "seen_message": "0", "seen_event": "0"})
    assert response.status_code == 404


# --- Internal-note mode ----------------------------------------------------------------

def test_note_mode_words_are_on_the_page(signed_in, ticket):
    text = signed_in.get(ticket.get_absolute_url()).text
    assert 'data-note-label="Add note"' in text
    assert 'data-note-placeholder="Write an internal note…"' in text


def test_note_mode_words_in_finnish(signed_in, agent, ticket):
    agent.language = "fi"
    agent.save(update_fields=["language"])
    text = signed_in.get(ticket.get_absolute_url()).text
    assert 'data-note-label="Lisää muistiinpano"' in text
    assert 'data-note-placeholder="Kirjoita sisäinen muistiinpano…"' in text


# --- Merge -------------------------------------------------------------------------------

def test_merge_asks_for_confirmation_showing_both_tickets(signed_in, ticket, customer, team):
    target = services.create_ticket(services.NewTicket(
        subject="Duplicate printer", body="again", customer=customer, team=team
    ))
    response = signed_in.post(reverse("tickets:merge", args=[ticket.pk]),
                              {"target": target.reference})
    assert response.status_code == 200
    text = response.text
    assert f"Merge {ticket.reference} into {target.reference}?" in text
    assert "Printer on fire" in text and "Duplicate printer" in text
    assert 'name="confirm" value="1"' in text
    ticket.refresh_from_db()
    assert ticket.merged_into is None  # nothing merged before the confirmation


def test_confirmed_merge_writes_a_plural_note_with_the_reference(signed_in, ticket, customer,
                                                                  team, agent):
    services.reply_to_ticket(ticket=ticket, agent=agent, body="first reply")
    services.reply_to_ticket(ticket=ticket, agent=agent, body="second reply")
    target = services.create_ticket(services.NewTicket(
        subject="Dup", body="same", customer=customer, team=team
    ))
    signed_in.post(reverse("tickets:merge", args=[ticket.pk]),
                   {"target": str(target.pk), "confirm": "1"})
    note = target.messages.get(author_type=Message.Author.SYSTEM)
    assert note.body_text == f"Merged 3 messages from {ticket.reference}."


def test_merge_of_one_message_is_singular(ticket, customer, team, agent):
    target = services.create_ticket(services.NewTicket(
        subject="Dup", body="same", customer=customer, team=team
    ))
    services.merge_tickets(source=ticket, target=target, actor=agent)
    note = target.messages.get(author_type=Message.Author.SYSTEM)
    assert note.body_text == f"Merged 1 message from {ticket.reference}."


def test_merge_confirm_refuses_what_the_merge_would_refuse(signed_in, ticket, other_customer,
                                                             team):
    target = services.create_ticket(services.NewTicket(
        subject="Other", body="x", customer=other_customer, team=team
    ))
    response = signed_in.post(reverse("tickets:merge", args=[ticket.pk]),
                              {"target": target.reference}, follow=True)
    assert "Only tickets of the same customer can be merged." in response.text
    assert "confirm" not in response.redirect_chain[0][0]


# --- History ---------------------------------------------------------------------------

def _history(client, ticket):
    """The history as the ticket page receives it when the agent opens it."""
    response = client.get(reverse("tickets:history", args=[ticket.pk]),
                          headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    texts = [text for _, text in response.context["history"]]
    for text in texts:
        assert escape(text) in response.text
    return texts


def test_the_history_loads_when_opened_and_is_a_page_without_javascript(
        signed_in, ticket, agent):
    services.change_priority(ticket=ticket, priority="urgent", actor=agent)
    url = reverse("tickets:history", args=[ticket.pk])
    page = signed_in.get(ticket.get_absolute_url()).text
    assert f'hx-get="{url}" hx-trigger="toggle once"' in page
    assert f'<noscript><p><a href="{url}">' in page
    said = "Changed the priority from Normal to Urgent"
    assert said not in page  # not read on every visit
    assert said in _history(signed_in, ticket)
    whole = signed_in.get(url).text  # without JavaScript: a page of its own
    assert "<html" in whole and said in whole
    assert ticket.get_absolute_url() in whole


def test_history_names_the_sla_policies(signed_in, ticket, agent):
    old_policy = ticket.sla.policy
    services.change_priority(ticket=ticket, priority="urgent", actor=agent)
    ticket.sla.refresh_from_db()
    new_policy = ticket.sla.policy
    assert old_policy != new_policy
    assert (f"SLA policy changed from “{old_policy.name}” to “{new_policy.name}”"
            in _history(signed_in, ticket))


def test_history_names_team_assignee_organization_and_channel(signed_in, ticket, agent,
                                                              other_team):
    from tests.factories import OrganizationFactory

    org_a, org_b = OrganizationFactory(name="Acme Oy"), OrganizationFactory(name="Beta Ab")
    record_event(ticket=ticket, field="organization", old=org_a, new=org_b, actor=agent)
    record_event(ticket=ticket, field="channel", old="email", new="phone", actor=agent)
    record_event(ticket=ticket, field="team", old=ticket.team, new=other_team, actor=agent)
    record_event(ticket=ticket, field="assignee", old=None, new=agent, actor=agent)
    history = _history(signed_in, ticket)
    assert "Organization changed from “Acme Oy” to “Beta Ab”" in history
    assert "Channel changed from “Email” to “Phone”" in history
    assert "Moved to team Billing (was Support)" in history
    assert "Assigned to Aino Agent (was nobody)" in history
    assert "Created via Email" in history


def test_history_of_a_deleted_policy_says_so(signed_in, ticket, agent):
    record_event(ticket=ticket, field="sla_policy", old="999999", new=None, actor=agent)
    assert "SLA policy changed from “deleted (#999999)” to “none”" in _history(signed_in, ticket)


def test_history_in_finnish_uses_translated_labels(signed_in, agent, ticket):
    agent.language = "fi"
    agent.save(update_fields=["language"])
    services.change_priority(ticket=ticket, priority="urgent", actor=agent)
    history = " | ".join(_history(signed_in, ticket))
    assert "SLA-käytäntö" in history
    assert "sla_policy" not in history


def test_history_names_are_read_in_bulk(ticket, agent, team_lead, other_team,
                                        django_assert_max_num_queries):
    from tickets.views.history import describe_events

    policies = list(SLAPolicy.objects.all()[:2])
    for _ in range(30):
        record_event(ticket=ticket, field="sla_policy", old=policies[0], new=policies[1])
        record_event(ticket=ticket, field="assignee", old=agent, new=team_lead)
        record_event(ticket=ticket, field="team", old=ticket.team, new=other_team)
    events = list(TicketEvent.objects.filter(ticket=ticket))
    with translation.override("en"), django_assert_max_num_queries(3):  # one query per kind
        texts = [text for _, text in describe_events(events)]
    assert texts.count(f"SLA policy changed from “{policies[0].name}” to “{policies[1].name}”") == 30


def test_the_page_version_is_the_newest_event_without_loading_the_history(signed_in, ticket,
                                                                           agent):
    services.change_priority(ticket=ticket, priority="urgent", actor=agent)
    newest = TicketEvent.objects.filter(ticket=ticket).latest("pk").pk
    assert signed_in.get(ticket.get_absolute_url()).context["page_version"].event == newest


def test_the_history_request_query_count_is_pinned(signed_in, ticket, agent,
                                                   django_assert_num_queries):
    """User, ticket, its events, the names their texts use (the agent's teams
    from the process's copy, tickets/directory.py)."""
    for priority in ("high", "urgent", "low"):
        services.change_priority(ticket=ticket, priority=priority, actor=agent)
    url = reverse("tickets:history", args=[ticket.pk])
    signed_in.get(url)
    with django_assert_num_queries(4):
        assert len(signed_in.get(url, headers={"HX-Request": "true"}).context["history"]) >= 3
