"""The signed intake webhook for chat, social, phone and API integrations."""

import json
import time
import uuid

import pytest
from rest_framework.test import APIClient

from tickets.api.intake import signature_of
from tickets.models import Customer, Message, Ticket

SECRET = "intake-secret-for-tests"


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.HELPDESK_INTAKE_SECRET = SECRET


def post(channel: str, payload, *, signature: str | None = "good", raw: bytes | None = None,
         fresh: bool = False):
    """Signed the original way (body only), or with a timestamp and nonce when ``fresh``."""
    body = raw if raw is not None else json.dumps(payload).encode()
    headers = {}
    stamp = {"timestamp": str(int(time.time())), "nonce": uuid.uuid4().hex} if fresh else {}
    if fresh:
        headers["HTTP_X_TIMESTAMP"], headers["HTTP_X_NONCE"] = stamp["timestamp"], stamp["nonce"]
    if signature == "good":
        headers["HTTP_X_SIGNATURE"] = signature_of(body, SECRET, **stamp)
    elif signature is not None:
        headers["HTTP_X_SIGNATURE"] = signature
    return APIClient().post(f"/api/v1/intake/{channel}/", body,
                            content_type="application/json", **headers)


PAYLOAD = {"customer": {"email": "chatter@example.com", "name": "Chat Person"},
           "subject": "Widget question", "body": "How do I export?", "external_id": "conv-17"}


@pytest.mark.parametrize("channel", ["chat", "social", "phone", "api"])
def test_signed_message_creates_a_ticket_on_the_channel(db, channel):
    response = post(channel, PAYLOAD)
    assert response.status_code == 201, response.json()
    data = response.json()
    ticket = Ticket.objects.get(pk=data["ticket"])
    assert data["reference"] == ticket.reference
    assert data["created"] is True
    assert ticket.channel == channel
    assert ticket.customer.email == "chatter@example.com"
    assert ticket.messages.get().body_text == "How do I export?"


def test_repeated_external_id_does_not_create_a_second_ticket(db):
    first = post("chat", PAYLOAD).json()
    again = post("chat", PAYLOAD)
    assert again.status_code == 200
    assert again.json() == {**first, "created": False}
    assert Ticket.objects.count() == 1


def test_same_external_id_on_another_channel_is_another_ticket(db):
    post("chat", PAYLOAD)
    assert post("social", PAYLOAD).status_code == 201
    assert Ticket.objects.count() == 2


def test_messages_without_external_id_are_never_deduplicated(db):
    payload = {k: v for k, v in PAYLOAD.items() if k != "external_id"}
    post("chat", payload, fresh=True)
    post("chat", payload, fresh=True)
    assert Ticket.objects.count() == 2


def test_bad_signature_is_403(db):
    response = post("chat", PAYLOAD, signature="sha256=" + "0" * 64)
    assert response.status_code == 403
    assert "detail" in response.json()
    assert not Ticket.objects.exists()


def test_signature_of_another_body_is_403(db):
    other = signature_of(b"{}", SECRET)
    assert post("chat", PAYLOAD, signature=other).status_code == 403


def test_missing_signature_is_403(db):
    assert post("chat", PAYLOAD, signature=None).status_code == 403
    assert not Customer.objects.exists()


def test_unset_secret_is_503_json(db, settings):
    settings.HELPDESK_INTAKE_SECRET = ""
    response = post("chat", PAYLOAD)
    assert response.status_code == 503
    assert "detail" in response.json()


@pytest.mark.parametrize("channel", ["email", "fax", "web"])
def test_unknown_channel_is_404_json(db, channel):
    response = post(channel, PAYLOAD)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_malformed_json_with_a_good_signature_is_400(db):
    assert post("chat", None, raw=b'{"customer": ').status_code == 400


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**PAYLOAD, "customer": {"email": "nope"}}, "customer"),
        ({**PAYLOAD, "body": ""}, "body"),
        ({**PAYLOAD, "external_id": "x" * 201}, "external_id"),
        ({**PAYLOAD, "priority": "urgent"}, "priority"),
    ],
)
def test_bad_intake_payload_is_400_naming_the_field(db, payload, field):
    response = post("chat", payload)
    assert response.status_code == 400
    assert field in response.json()


def test_external_id_is_stored_as_the_message_id(db):
    post("chat", PAYLOAD)
    assert Message.objects.get().email_message_id == "<chat:conv-17>"
