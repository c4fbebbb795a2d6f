"""The sockets with Channels' communicator: both directions, the visitor's token, bad
input, flooding, and that no socket ever gets another chat's messages."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from django.core import signing

from chat import consumers
from chat.models import Chat
from chat.tokens import SALT, make_token
from tickets.models import Message, Ticket

from .conftest import agent_socket, frames_until, start, visitor_socket

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def _start(**kwargs):
    return await database_sync_to_async(start)(**kwargs)


async def test_visitor_and_agent_chat_both_ways(chat_team, agent):
    started = await _start()
    chat = started.chat
    visitor = await visitor_socket(make_token(chat.pk))
    first = await visitor.receive_json_from()
    assert first["type"] == "message" and first["author"] == "visitor"
    assert first["body"] == "Hello, my order?"

    desk = await agent_socket(agent)
    assert (await desk.receive_json_from())["type"] == "hello"
    await desk.send_json_to({"type": "subscribe", "chat": chat.pk})
    await frames_until(desk, "subscribed")

    await desk.send_json_to({"type": "message", "chat": chat.pk, "body": "Hi, Aino here."})
    joined = await frames_until(visitor, "joined")
    assert joined["name"] == "Aino"
    reply = await frames_until(visitor, "message")
    assert reply["author"] == "agent" and reply["body"] == "Hi, Aino here."

    await visitor.send_json_to({"type": "typing"})
    typing = await frames_until(desk, "typing")
    assert typing == {"chat": chat.pk, "type": "typing", "author": "visitor"}
    await visitor.send_json_to({"type": "message", "body": "Order 1234."})
    seen = await frames_until(desk, "message", author="visitor")
    assert seen["body"] == "Order 1234." and seen["chat"] == chat.pk

    bodies = await database_sync_to_async(lambda: list(
        Message.objects.filter(ticket=chat.ticket).values_list("author_type", "body_text")))()
    assert bodies == [("customer", "Hello, my order?"), ("agent", "Hi, Aino here."),
                      ("customer", "Order 1234.")]
    await visitor.disconnect()
    await desk.disconnect()


async def test_reconnecting_visitor_gets_the_conversation_again(chat_team, agent):
    started = await _start()
    await database_sync_to_async(
        lambda: __import__("chat.services").services.agent_message(
            chat=started.chat, agent=agent, body="Welcome back"))()
    visitor = await visitor_socket(make_token(started.chat.pk))
    frames = [await visitor.receive_json_from() for _ in range(3)]
    assert [f["type"] for f in frames] == ["message", "joined", "message"]
    assert frames[2]["body"] == "Welcome back"
    await visitor.disconnect()


async def test_forged_token_closes_with_4401(chat_team, agent):
    started = await _start()
    token = make_token(started.chat.pk)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    visitor = await visitor_socket(forged)
    closed = await visitor.receive_output(timeout=2)
    assert closed == {"type": "websocket.close", "code": consumers.CLOSE_FORGED}


async def test_token_of_another_purpose_is_forged(chat_team, agent):
    started = await _start()
    other = signing.dumps({"c": started.chat.pk}, salt="something.else")
    visitor = await visitor_socket(other)
    assert (await visitor.receive_output(timeout=2))["code"] == consumers.CLOSE_FORGED


async def test_expired_token_closes_with_4408(chat_team, agent, settings):
    started = await _start()
    token = signing.dumps({"c": started.chat.pk}, salt=SALT)
    settings.HELPDESK_CHAT_TOKEN_MAX_AGE = 60
    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now() + __import__("datetime").timedelta(minutes=5)):
        visitor = await visitor_socket(token)
        assert (await visitor.receive_output(timeout=2))["code"] == consumers.CLOSE_EXPIRED


async def test_foreign_origin_is_refused_on_the_visitor_socket(chat_team, agent, settings):
    settings.HELPDESK_WIDGET_ORIGINS = ["https://shop.example.com"]
    started = await _start()
    from channels.testing import WebsocketCommunicator

    from chat.routing import websocket_application

    communicator = WebsocketCommunicator(websocket_application(),
                                         f"/ws/chat/{make_token(started.chat.pk)}/",
                                         headers=[(b"origin", b"https://evil.example.net")])
    connected, _ = await communicator.connect()
    assert not connected


async def test_malformed_json_oversized_and_unknown_frames_get_error_frames(chat_team, agent,
                                                                          settings):
    started = await _start()
    visitor = await visitor_socket(make_token(started.chat.pk))
    await visitor.receive_json_from()  # the first message
    await visitor.send_to(text_data="{not json")
    assert (await frames_until(visitor, "error"))["code"] == "bad_json"
    await visitor.send_to(text_data="[1, 2]")
    assert (await frames_until(visitor, "error"))["code"] == "bad_frame"
    await visitor.send_json_to({"type": "__class__"})
    assert (await frames_until(visitor, "error"))["code"] == "unknown_type"
    await visitor.send_json_to({"type": "message", "body": "x" * (settings.HELPDESK_CHAT_MAX_MESSAGE + 1)})
    error = await frames_until(visitor, "error")
    assert error["code"] == "too_long" and "4000" in error["detail"]
    await visitor.send_to(text_data="x" * 20000)
    assert (await frames_until(visitor, "error"))["code"] == "too_large"
    await visitor.send_json_to({"type": "message", "body": 42})
    assert (await frames_until(visitor, "error"))["code"] == "blank"
    # Still alive and working after all that.
    await visitor.send_json_to({"type": "message", "body": "still here"})
    assert (await frames_until(visitor, "message", body="still here"))["author"] == "visitor"
    await visitor.disconnect()


async def test_flooding_visitor_is_rate_limited_then_closed(chat_team, agent, settings):
    settings.HELPDESK_CHAT_RATE = 5
    started = await _start()
    visitor = await visitor_socket(make_token(started.chat.pk))
    await visitor.receive_json_from()
    for _ in range(40):
        await visitor.send_json_to({"type": "typing"})
    codes = []
    closed = None
    while closed is None:
        output = await visitor.receive_output(timeout=3)
        if output["type"] == "websocket.close":
            closed = output
        else:
            codes.append(json.loads(output["text"]).get("code"))
    assert "rate_limited" in codes
    assert closed["code"] == consumers.CLOSE_FLOOD
    stored = await database_sync_to_async(
        lambda: Message.objects.filter(ticket=started.chat.ticket).count())()
    assert stored == 1  # typing frames store nothing; the flood stored nothing either


async def test_no_socket_receives_another_chats_messages(chat_team, agent):
    first = await _start(email="first@example.com", message="First chat")
    second = await _start(email="second@example.com", message="Second chat")
    one = await visitor_socket(make_token(first.chat.pk))
    two = await visitor_socket(make_token(second.chat.pk))
    assert (await one.receive_json_from())["body"] == "First chat"
    assert (await two.receive_json_from())["body"] == "Second chat"
    await two.send_json_to({"type": "message", "body": "secret of chat two"})
    await two.send_json_to({"type": "typing"})
    assert (await frames_until(two, "message"))["body"] == "secret of chat two"
    assert await one.receive_nothing(timeout=0.5)
    # A visitor cannot reach another chat by naming it in a frame either.
    await one.send_json_to({"type": "message", "body": "hi", "chat": second.chat.pk})
    assert (await frames_until(one, "message"))["body"] == "hi"
    assert await two.receive_nothing(timeout=0.5)
    texts = await database_sync_to_async(lambda: list(
        Message.objects.filter(ticket=second.chat.ticket).values_list("body_text", flat=True)))()
    assert texts == ["Second chat", "secret of chat two"]
    await one.disconnect()
    await two.disconnect()


async def test_agent_socket_needs_a_staff_session(chat_team, agent):
    anonymous = await agent_socket(None)
    assert (await anonymous.receive_output(timeout=2))["code"] == consumers.CLOSE_FORBIDDEN


async def test_agent_cannot_open_a_chat_of_another_team(chat_team, agent, other_agent):
    started = await _start()
    desk = await agent_socket(other_agent)
    await desk.receive_json_from()
    await desk.send_json_to({"type": "subscribe", "chat": started.chat.pk})
    assert (await frames_until(desk, "error"))["code"] == "not_found"
    await desk.send_json_to({"type": "message", "chat": started.chat.pk, "body": "sneaky"})
    assert (await frames_until(desk, "error"))["code"] == "not_found"
    visitor = await visitor_socket(make_token(started.chat.pk))
    await visitor.receive_json_from()
    await visitor.send_json_to({"type": "message", "body": "private"})
    await frames_until(visitor, "message", body="private")
    # The other team's agent hears neither the message nor the inbox change.
    assert await desk.receive_nothing(timeout=0.5)
    await desk.disconnect()
    await visitor.disconnect()


async def test_ending_asks_for_the_rating_and_records_it(chat_team, agent):
    from chat import services

    started = await _start()
    await database_sync_to_async(services.agent_message)(chat=started.chat, agent=agent,
                                                         body="Fixed it.")
    visitor = await visitor_socket(make_token(started.chat.pk))
    await frames_until(visitor, "joined")
    await database_sync_to_async(services.end_chat)(chat=started.chat, actor=agent)
    await frames_until(visitor, "ended")
    request = await frames_until(visitor, "rating_request")
    assert (request["scale_min"], request["scale_max"]) == (1, 5)
    await visitor.send_json_to({"type": "rating", "score": 9})
    assert (await frames_until(visitor, "error"))["code"] == "out_of_scale"
    await visitor.send_json_to({"type": "rating", "score": 5, "comment": "Quick!"})
    await frames_until(visitor, "rated")
    await visitor.send_json_to({"type": "rating", "score": 1})
    assert (await frames_until(visitor, "error"))["code"] == "rated"
    ticket = await database_sync_to_async(Ticket.objects.get)(pk=started.chat.ticket_id)
    assert ticket.status == Ticket.Status.SOLVED
    chat = await database_sync_to_async(Chat.objects.get)(pk=started.chat.pk)
    assert chat.rated and chat.status == Chat.Status.ENDED
    await visitor.disconnect()


async def test_message_after_the_end_is_refused(chat_team, agent):
    from chat import services

    started = await _start()
    await database_sync_to_async(services.end_chat)(chat=started.chat, actor=None)
    visitor = await visitor_socket(make_token(started.chat.pk))
    await frames_until(visitor, "ended")
    await visitor.send_json_to({"type": "message", "body": "hello?"})
    assert (await frames_until(visitor, "error"))["code"] == "ended"
    await asyncio.sleep(0)
    await visitor.disconnect()


async def test_each_message_reaches_the_other_side_once_and_the_inbox_not_at_all(
        chat_team, agent):
    """A chat message is broadcast once, right after its commit (chat/events.py), not a
    second time by the message_added receiver, and no inbox notice goes out for it."""
    started = await _start()
    visitor = await visitor_socket(make_token(started.chat.pk))
    await frames_until(visitor, "message")
    desk = await agent_socket(agent)
    await frames_until(desk, "hello")
    await desk.send_json_to({"type": "subscribe", "chat": started.chat.pk})
    await frames_until(desk, "subscribed")
    await visitor.send_json_to({"type": "message", "body": "One"})
    await visitor.send_json_to({"type": "message", "body": "Two"})
    seen = [await frames_until(desk, "message") for _ in range(2)]
    assert [f["body"] for f in seen] == ["One", "Two"]  # in order
    assert await desk.receive_nothing(timeout=0.5)  # no duplicate, no "inbox" reload
    await visitor.disconnect()
    await desk.disconnect()


async def test_visitor_leaving_is_recorded_and_a_reconnect_clears_it(chat_team, agent):
    started = await _start()
    token = make_token(started.chat.pk)
    visitor = await visitor_socket(token)
    await frames_until(visitor, "message")
    await visitor.disconnect()
    left = await database_sync_to_async(
        lambda: Chat.objects.get(pk=started.chat.pk).visitor_left_at)()
    assert left is not None
    visitor = await visitor_socket(token)
    await frames_until(visitor, "message")
    left = await database_sync_to_async(
        lambda: Chat.objects.get(pk=started.chat.pk).visitor_left_at)()
    assert left is None
    await visitor.disconnect()
