"""Chat fixtures: a chat started by the visitor service, sockets through Channels'
communicator against the real routing (tokens, origin checks, session auth)."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from chat import services
from chat.routing import websocket_application
from tickets.models import Team


@pytest.fixture(autouse=True)
def _memory_layer(settings):
    """Each test its own in-memory channel layer (the Redis one has its own test)."""
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def csat_program(db):
    """A CSAT program for every channel, as the data migration installs (a transactional
    test's flush removes what migrations wrote)."""
    from surveys.models import SurveyProgram

    SurveyProgram.objects.all().delete()
    return SurveyProgram.objects.create(
        name="CSAT", metric="csat", question_en="How satisfied were you with the chat?",
        question_fi="Kuinka tyytyväinen olit keskusteluun?", trigger="closed")


@pytest.fixture
def chat_team(team, csat_program):
    """The default team assigns chats by hand unless a test says otherwise."""
    Team.objects.filter(pk=team.pk).update(assignment=Team.Assignment.MANUAL)
    team.refresh_from_db()
    return team


def start(name="Kalle Customer", email="customer@example.com", message="Hello, my order?"):
    return services.start_chat(name=name, email=email, message=message)


@pytest.fixture
def started(chat_team, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return start()


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def visitor_socket(token: str, origin: bytes = b"http://testserver"):
    communicator = WebsocketCommunicator(websocket_application(), f"/ws/chat/{token}/",
                                         headers=[(b"origin", origin)])
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def agent_socket(user=None):
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if user is not None:
        cookie = await database_sync_to_async(session_cookie)(user)
        headers.append((b"cookie", cookie))
    communicator = WebsocketCommunicator(websocket_application(), "/ws/agent/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def frames_until(communicator, wanted: str, *, timeout: float = 10, **match) -> dict:
    """Read frames until one of type ``wanted`` (matching ``match``) arrives."""
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame.get("type") == wanted and all(frame.get(k) == v for k, v in match.items()):
            return frame
