"""Signed intake requests cannot be played again (issue 11, item 12), and a repeated
external_id is a retry only for the same message (issue 11, item 2's class)."""

import json
import time
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from tickets.api.intake import forget_old_nonces, signature_of
from tickets.models import IntakeNonce, Ticket
from tickets.tasks import forget_intake_nonces

SECRET = "intake-secret-for-tests"
PAYLOAD = {"customer": {"email": "chatter@example.com", "name": "Chat Person"},
           "subject": "Widget question", "body": "How do I export?"}


@pytest.fixture(autouse=True)
def _secret(settings):
    settings.HELPDESK_INTAKE_SECRET = SECRET
    settings.HELPDESK_INTAKE_MAX_SKEW = 300


def signed(payload: dict, *, timestamp: int | None = None, nonce: str | None = None,
           secret: str = SECRET) -> dict:
    """The request as an integration sends it: body and the three headers."""
    body = json.dumps(payload).encode()
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or uuid.uuid4().hex
    return {"body": body, "HTTP_X_TIMESTAMP": timestamp, "HTTP_X_NONCE": nonce,
            "HTTP_X_SIGNATURE": signature_of(body, secret, timestamp=timestamp, nonce=nonce)}


def send(request: dict, channel: str = "chat"):
    request = dict(request)
    body = request.pop("body")
    return APIClient().post(f"/api/v1/intake/{channel}/", body,
                            content_type="application/json", **request)


def test_fresh_signed_request_creates_a_ticket(db):
    response = send(signed(PAYLOAD))
    assert response.status_code == 201, response.json()
    assert Ticket.objects.get().subject == "Widget question"
    assert IntakeNonce.objects.count() == 1


def test_the_same_signed_request_played_again_is_refused(db):
    request = signed(PAYLOAD)
    assert send(request).status_code == 201
    again = send(request)
    assert again.status_code == 401
    assert "X-Nonce" in again.json()
    assert "replay" in again.json()["X-Nonce"][0]
    assert Ticket.objects.count() == 1


def test_body_without_external_id_signed_the_old_way_is_refused(db):
    """The original scheme signs the body only; without external_id it could be replayed."""
    body = json.dumps(PAYLOAD).encode()
    response = APIClient().post("/api/v1/intake/chat/", body, content_type="application/json",
                                HTTP_X_SIGNATURE=signature_of(body, SECRET))
    assert response.status_code == 401
    assert "X-Timestamp" in response.json()
    assert not Ticket.objects.exists()


def test_old_signature_still_works_for_an_idempotent_body(db):
    body = json.dumps({**PAYLOAD, "external_id": "conv-1"}).encode()
    for expected in (201, 200):
        response = APIClient().post("/api/v1/intake/chat/", body, content_type="application/json",
                                    HTTP_X_SIGNATURE=signature_of(body, SECRET))
        assert response.status_code == expected
    assert Ticket.objects.count() == 1


def test_old_signature_can_be_switched_off(db, settings):
    settings.HELPDESK_INTAKE_LEGACY_SIGNATURES = False
    body = json.dumps({**PAYLOAD, "external_id": "conv-1"}).encode()
    response = APIClient().post("/api/v1/intake/chat/", body, content_type="application/json",
                                HTTP_X_SIGNATURE=signature_of(body, SECRET))
    assert response.status_code == 401


@pytest.mark.parametrize("offset", [-301, 301, -86400])
def test_stale_or_future_timestamp_is_refused_naming_it(db, offset):
    # The clock stands still: one second past the window must stay one second past it
    # however slowly a busy machine runs the request.
    with time_machine.travel(time.time(), tick=False):
        response = send(signed(PAYLOAD, timestamp=int(time.time()) + offset))
    assert response.status_code == 401
    assert "X-Timestamp" in response.json()
    assert not Ticket.objects.exists()
    assert not IntakeNonce.objects.exists()


def test_timestamp_inside_the_window_is_accepted(db):
    assert send(signed(PAYLOAD, timestamp=int(time.time()) - 250)).status_code == 201


def test_changing_the_timestamp_of_a_captured_request_breaks_its_signature(db):
    request = signed(PAYLOAD, timestamp=int(time.time()) - 1000)
    request["HTTP_X_TIMESTAMP"] = str(int(time.time()))
    assert send(request).status_code == 403


@pytest.mark.parametrize(("header", "value", "named"), [
    ("HTTP_X_TIMESTAMP", "yesterday", "X-Timestamp"),
    ("HTTP_X_TIMESTAMP", "", "X-Timestamp"),
    ("HTTP_X_NONCE", "short", "X-Nonce"),
    ("HTTP_X_NONCE", "", "X-Nonce"),
    ("HTTP_X_NONCE", "spaces are not allowed in it!", "X-Nonce"),
])
def test_malformed_replay_headers_are_400_naming_the_header(db, header, value, named):
    request = signed(PAYLOAD)
    request[header] = value
    response = send(request)
    assert response.status_code == 400
    assert named in response.json()


def test_a_failed_request_does_not_use_up_its_nonce(db):
    bad = signed({**PAYLOAD, "body": ""}, nonce="n" * 20)
    assert send(bad).status_code == 400
    assert send(signed(PAYLOAD, nonce="n" * 20)).status_code == 201


def test_nonces_are_kept_in_the_database_and_old_ones_forgotten(db):
    send(signed(PAYLOAD, nonce="old-nonce-0123456789"))
    send(signed(PAYLOAD, nonce="new-nonce-0123456789"))
    IntakeNonce.objects.filter(nonce="old-nonce-0123456789").update(
        received_at=timezone.now() - timedelta(seconds=601))
    assert forget_intake_nonces.delay().get() == 1
    assert list(IntakeNonce.objects.values_list("nonce", flat=True)) == ["new-nonce-0123456789"]
    assert forget_old_nonces() == 0


def test_repeated_external_id_with_another_body_is_409_not_dropped(db):
    assert send(signed({**PAYLOAD, "external_id": "m-1"})).status_code == 201
    response = send(signed({**PAYLOAD, "external_id": "m-1", "body": "Another question"}))
    assert response.status_code == 409
    assert "external_id" in response.json()
    assert Ticket.objects.get().reference in response.json()["external_id"][0]


def test_repeated_external_id_with_the_same_message_is_a_retry(db):
    first = send(signed({**PAYLOAD, "external_id": "m-1"})).json()
    again = send(signed({**PAYLOAD, "external_id": "m-1"}))
    assert again.status_code == 200
    assert again.json() == {**first, "created": False}
