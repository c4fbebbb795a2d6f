"""A chat is a ticket on the chat channel: the services through the ticket services."""

import pytest
from django.core.exceptions import ValidationError

from chat import services
from chat.models import Chat
from chat.rating import rate_chat
from helpdesk.models import User
from surveys.models import Invitation, Response
from tickets.models import Message, Team, Ticket, TicketEvent

from ..factories import UserFactory
from .conftest import start

pytestmark = pytest.mark.django_db


def test_chat_is_a_ticket_on_the_chat_channel_without_acknowledgement(started, mailoutbox):
    ticket = started.chat.ticket
    assert not started.offline
    assert ticket.channel == "chat" and ticket.status == Ticket.Status.NEW
    assert list(ticket.messages.values_list("author_type", "body_text")) == [
        ("customer", "Hello, my order?")]
    assert started.chat.status == Chat.Status.WAITING
    assert mailoutbox == []  # the visitor is in the chat, not waiting for an email


def test_nobody_available_makes_an_email_ticket_and_a_missed_chat(
        chat_team, agent, mailoutbox, django_capture_on_commit_callbacks):
    User.objects.filter(pk=agent.pk).update(availability=User.Availability.OFFLINE)
    with django_capture_on_commit_callbacks(execute=True):
        result = start()
    assert result.offline
    assert result.chat.status == Chat.Status.MISSED
    assert result.chat.ticket.channel == "chat"
    assert len(mailoutbox) == 1 and result.chat.ticket.reference in mailoutbox[0].subject


def test_first_agent_message_sets_first_response_and_waiting_time(
        started, agent, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.agent_message(chat=started.chat, agent=agent, body="Hi!")
    ticket = Ticket.objects.get(pk=started.chat.ticket_id)
    chat = Chat.objects.get(pk=started.chat.pk)
    assert ticket.first_response_at == message.created_at
    assert chat.first_agent_message_at == message.created_at
    assert ticket.assignee == agent and chat.agent == agent and chat.status == Chat.Status.ACTIVE
    assert message.public and message.channel == "chat"
    assert mailoutbox == []  # delivered in the chat, not emailed


def test_visitor_message_is_a_customer_message_and_not_emailed_to_the_agent(
        started, agent, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_chat(chat=started.chat, agent=agent)
        mailoutbox.clear()
        services.visitor_message(chat=started.chat, body="More detail")
    assert Message.objects.filter(ticket=started.chat.ticket, author_type="customer").count() == 2
    assert mailoutbox == []


def test_ending_solves_the_ticket_through_the_change_service(
        started, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.agent_message(chat=started.chat, agent=agent, body="Done")
        services.end_chat(chat=started.chat, actor=agent)
    ticket = Ticket.objects.get(pk=started.chat.ticket_id)
    assert ticket.status == Ticket.Status.SOLVED
    assert TicketEvent.objects.filter(ticket=ticket, field="status", new_value="solved",
                                      actor=agent).exists()
    chat = Chat.objects.get(pk=started.chat.pk)
    assert chat.status == Chat.Status.ENDED and chat.ended_at is not None


def test_visitor_leaving_before_an_agent_joined_is_a_missed_chat(started):
    services.end_chat(chat=started.chat, actor=None)
    chat = Chat.objects.get(pk=started.chat.pk)
    assert chat.status == Chat.Status.MISSED
    assert chat.ticket.status == Ticket.Status.NEW  # still waits for an answer by email


def test_after_the_chat_replies_are_emailed_again(started, agent, mailoutbox,
                                                  django_capture_on_commit_callbacks):
    from tickets import services as ticket_services

    with django_capture_on_commit_callbacks(execute=True):
        services.agent_message(chat=started.chat, agent=agent, body="Done")
        services.end_chat(chat=started.chat, actor=agent)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.reply_to_ticket(ticket=started.chat.ticket, agent=agent,
                                        body="One more thing, by email.")
    assert any("One more thing" in m.body for m in mailoutbox)


def test_rating_is_a_survey_response_and_skips_the_emailed_survey(
        started, agent, django_capture_on_commit_callbacks):
    from surveys.services import schedule_invitation

    with django_capture_on_commit_callbacks(execute=True):
        services.agent_message(chat=started.chat, agent=agent, body="Done")
        services.end_chat(chat=started.chat, actor=agent)
    chat = Chat.objects.select_related("ticket").get(pk=started.chat.pk)
    with django_capture_on_commit_callbacks(execute=True):
        rate_chat(chat=chat, score=4, comment="Fast")
    response = Response.objects.get(ticket=chat.ticket)
    assert (response.metric, response.score, response.comment) == ("csat", 4, "Fast")
    assert (response.channel, response.agent, response.team_id) == ("chat", agent,
                                                                    chat.ticket.team_id)
    assert Chat.objects.get(pk=chat.pk).rated
    invitation = schedule_invitation(ticket_id=chat.ticket_id, trigger="closed")
    assert invitation.status == Invitation.Status.SKIPPED
    assert invitation.skip_reason == Invitation.SkipReason.THROTTLED


def test_rating_outside_the_scale_names_the_score(started, agent):
    services.agent_message(chat=started.chat, agent=agent, body="Done")
    services.end_chat(chat=started.chat, actor=agent)
    with pytest.raises(ValidationError) as refused:
        rate_chat(chat=Chat.objects.get(pk=started.chat.pk), score=6, comment="")
    assert "score" in refused.value.message_dict


def test_no_rating_request_when_customer_answered_recently(started, agent):
    from chat.rating import rating_request

    Response.objects.create(metric="csat", scale_min=1, scale_max=5, score=5,
                            ticket=started.chat.ticket, customer=started.chat.ticket.customer,
                            channel="email")
    assert rating_request(started.chat) is None  # one contact budget


def test_round_robin_team_routes_chats_within_chat_capacity(
        chat_team, agent, settings, django_capture_on_commit_callbacks):
    settings.HELPDESK_CHAT_CAPACITY = 1
    Team.objects.filter(pk=chat_team.pk).update(assignment=Team.Assignment.ROUND_ROBIN)
    second = UserFactory(email="beata@helpdesk.test", name="Beata", teams=[chat_team])
    with django_capture_on_commit_callbacks(execute=True):
        one = start(email="a@example.com")
        two = start(email="b@example.com")
        three = start(email="c@example.com")
    chats = {c.pk: c for c in Chat.objects.filter(pk__in=[one.chat.pk, two.chat.pk,
                                                          three.chat.pk])}
    assert {chats[one.chat.pk].agent_id, chats[two.chat.pk].agent_id} == {agent.pk, second.pk}
    assert chats[one.chat.pk].status == Chat.Status.ACTIVE
    # Both full: the ticket may still be assigned (ticket capacity), the chat waits.
    assert chats[three.chat.pk].status == Chat.Status.WAITING


def test_accepting_beyond_chat_capacity_is_refused(chat_team, agent, settings):
    settings.HELPDESK_CHAT_CAPACITY = 1
    one, two = start(email="a@example.com"), start(email="b@example.com")
    services.accept_chat(chat=one.chat, agent=agent)
    with pytest.raises(ValidationError) as refused:
        services.accept_chat(chat=two.chat, agent=agent)
    assert refused.value.error_dict["chat"][0].code == "capacity"


def test_transfer_to_another_agent_and_to_a_team(started, agent, other_team, manager,
                                                 django_capture_on_commit_callbacks):
    colleague = UserFactory(email="cecilia@helpdesk.test", name="Cecilia",
                            teams=[started.chat.ticket.team])
    services.accept_chat(chat=started.chat, agent=agent)
    chat = services.transfer_chat(chat=started.chat, actor=agent, agent=colleague)
    assert chat.agent == colleague and chat.status == Chat.Status.ACTIVE
    chat = services.transfer_chat(chat=started.chat, actor=manager, team=other_team)
    assert chat.status == Chat.Status.WAITING
    assert Ticket.objects.get(pk=chat.ticket_id).team == other_team


def test_oversized_message_is_refused(started, settings):
    with pytest.raises(ValidationError) as refused:
        services.visitor_message(chat=started.chat,
                                 body="x" * (settings.HELPDESK_CHAT_MAX_MESSAGE + 1))
    assert refused.value.error_dict["body"][0].code == "too_long"
