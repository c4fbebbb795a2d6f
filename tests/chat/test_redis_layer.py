"""The Redis channel layer (production, several web nodes): a message sent on one node
reaches a socket held by another. Runs where REDIS_URL is set (CI), on database 6."""

import os
from urllib.parse import urlparse, urlunparse

import pytest
from channels.db import database_sync_to_async
from channels_redis.core import RedisChannelLayer

from chat import events
from chat.tokens import make_token

from .conftest import agent_socket, frames_until, start, visitor_socket

REDIS_URL = os.environ.get("REDIS_URL", "")
pytestmark = [
    pytest.mark.services, pytest.mark.asyncio, pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (the real Redis)"),
]


def _layer_url() -> str:
    parts = urlparse(REDIS_URL)
    return urlunparse(parts._replace(path="/6"))


@pytest.fixture
def redis_layer(settings):
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [_layer_url()], "prefix": "test-chat"}}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


async def test_chat_both_ways_over_redis(redis_layer, chat_team, agent):
    started = await database_sync_to_async(start)()
    visitor = await visitor_socket(make_token(started.chat.pk))
    await visitor.receive_json_from()
    desk = await agent_socket(agent)
    await desk.receive_json_from()
    await desk.send_json_to({"type": "subscribe", "chat": started.chat.pk})
    await frames_until(desk, "subscribed")
    await visitor.send_json_to({"type": "message", "body": "via redis"})
    assert (await frames_until(desk, "message", author="visitor"))["body"] == "via redis"
    await desk.send_json_to({"type": "message", "chat": started.chat.pk, "body": "back"})
    assert (await frames_until(visitor, "message", author="agent"))["body"] == "back"
    await visitor.disconnect()
    await desk.disconnect()


async def test_another_node_reaches_this_nodes_socket(redis_layer, chat_team, agent):
    started = await database_sync_to_async(start)()
    visitor = await visitor_socket(make_token(started.chat.pk))
    await visitor.receive_json_from()
    other_node = RedisChannelLayer(hosts=[_layer_url()], prefix="test-chat")
    await other_node.group_send(events.group(started.chat.pk), {
        "type": "chat.frame", "chat": started.chat.pk,
        "frame": {"type": "typing", "author": "agent", "agent": agent.pk}})
    assert (await frames_until(visitor, "typing"))["author"] == "agent"
    await other_node.flush()
    await visitor.disconnect()
