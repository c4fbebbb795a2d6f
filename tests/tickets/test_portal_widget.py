"""The chat widget's JSON endpoint, its script and its demo page."""

import json
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.urls import reverse

from tickets.models import Ticket

pytestmark = pytest.mark.django_db
URL = "/support/widget/tickets/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _post(client, payload, **headers):
    body = payload if isinstance(payload, str | bytes) else json.dumps(payload)
    return client.post(URL, data=body, content_type="application/json", **headers)


def _payload(**overrides):
    return {"name": "Liisa", "email": "liisa@example.com",
            "message": "Can I change my order?\nIt is #123."} | overrides


def test_url_name_resolves():
    assert reverse("portal:widget_tickets") == URL


def test_widget_creates_a_chat_ticket_and_returns_its_reference(client, mailoutbox,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, _payload(), HTTP_ORIGIN="https://shop.example")
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert response.json() == {"reference": ticket.reference}
    assert ticket.channel == "chat"
    assert ticket.subject == "Can I change my order?"
    assert mailoutbox[0].to == ["liisa@example.com"]


def test_widget_needs_no_csrf_token(client):
    client.handler.enforce_csrf_checks = True
    assert _post(client, _payload()).status_code == 201


def test_cors_headers_allow_every_origin_by_default(client):
    response = _post(client, _payload(), HTTP_ORIGIN="https://shop.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Origin" in response["Vary"]


def test_preflight_is_answered(client):
    response = client.options(URL, HTTP_ORIGIN="https://shop.example",
                              HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert response.status_code == 204
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Content-Type" in response["Access-Control-Allow-Headers"]


def test_configured_origins_are_echoed_and_others_refused(client, settings):
    settings.HELPDESK_WIDGET_ORIGINS = ["https://shop.example"]
    allowed = _post(client, _payload(), HTTP_ORIGIN="https://shop.example")
    refused = _post(client, _payload(email="x@example.com"), HTTP_ORIGIN="https://evil.example")
    assert allowed["Access-Control-Allow-Origin"] == "https://shop.example"
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused
    assert Ticket.objects.count() == 1


def test_bad_json_is_a_400_naming_the_body(client):
    response = _post(client, "{not json")
    assert response.status_code == 400
    assert "body" in response.json()["errors"]


def test_json_that_is_not_an_object_is_refused(client):
    response = _post(client, "[1, 2]")
    assert response.status_code == 400
    assert "body" in response.json()["errors"]


def test_missing_and_invalid_fields_are_named(client):
    response = _post(client, {"name": "", "email": "nope"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "email", "message"}
    assert not Ticket.objects.exists()


def test_honeypot_creates_nothing(client):
    response = _post(client, _payload(website="http://spam"))
    assert response.status_code == 201
    assert not Ticket.objects.exists()


def test_widget_is_rate_limited(client, monkeypatch):
    from tickets.portal import widget

    monkeypatch.setattr(widget, "WIDGET_TICKETS_PER_EMAIL", 1)
    assert _post(client, _payload()).status_code == 201
    limited = _post(client, _payload())
    assert limited.status_code == 429
    assert "error" in limited.json()
    assert limited["Access-Control-Allow-Origin"] == "*"


def test_labels_follow_the_visitors_language(client):
    english = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").json()["labels"]
    assert english["send"] == "Send"
    assert "%(reference)s" in english["thanks"]


def test_other_methods_are_refused(client):
    assert client.put(URL).status_code == 405


def test_widget_script_is_a_static_file():
    path = finders.find("widget/widget.js")
    assert path is not None
    source = Path(path).read_text(encoding="utf-8")
    # Live chat (docs/live-chat.md): the widget starts chats; offline they become tickets.
    assert "/support/chat/" in source


def test_demo_page_embeds_the_widget(client):
    response = client.get(reverse("portal:widget_demo"))
    assert response.status_code == 200
    assert b"widget/widget.js" in response.content
