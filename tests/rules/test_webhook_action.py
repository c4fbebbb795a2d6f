"""The "webhook" action: a signed POST to a real HTTP server on loopback, through the
outgoing-webhook outbox (integrations.services.queue_webhook_delivery)."""

import hashlib
import hmac
import json

from tests.integrations.conftest import receiver  # noqa: F401  (fixture)

from .conftest import history

SECRET = "a-long-enough-signing-secret"


def test_webhook_action_posts_the_ticket_signed(make_rule, web_ticket, receiver):  # noqa: F811
    make_rule("Tell the CRM", all=[{"field": "channel", "op": "is", "value": "web"}],
              actions=[{"type": "webhook", "value": {"url": receiver.url, "secret": SECRET}}])
    ticket = web_ticket()
    (request,) = receiver.requests
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["x-helpdesk-event"] == "ticket.created"
    expected = hmac.new(SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
    assert headers["x-helpdesk-signature"] == f"sha256={expected}"
    assert json.loads(request["body"])["ticket"]["id"] == ticket.pk
    assert ("ticket.created", "Tell the CRM") in history(ticket)


def test_refused_webhook_url_is_a_recorded_failure(make_rule, web_ticket, settings):
    settings.HELPDESK_WEBHOOK_ALLOWED_NETWORKS = []
    make_rule("Local hook", all=[{"field": "channel", "op": "is", "value": "web"}],
              actions=[{"type": "webhook", "value": {"url": "http://127.0.0.1:9/x",
                                                     "secret": SECRET}}])
    ticket = web_ticket()
    ((rule, detail),) = history(ticket, "rule_failed")
    assert rule == "Local hook" and detail.startswith("webhook")
