"""anymail's webhooks refuse everyone until they are configured (issue 11, item 4).

Every request goes through the real anymail views, URL routing and middleware with
Django's test client; the ESP payloads are in each ESP's real shape.
"""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from helpdesk.checks import check_webhook_security
from helpdesk.models import OutboundEmail
from tickets.models import InboundEmail, Ticket

from ..tickets.test_intake import make_email

SECRET = "hook:s3cret-long-enough"
AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(SECRET.encode()).decode()}
MAILGUN_KEY = "key-mailgun-signing-test"


@pytest.fixture
def client():
    # A 500 must show up as a status code, not as an exception raised into the test.
    return Client(raise_request_exception=False)


def mailgun_inbound(client, *, key=MAILGUN_KEY, auth=AUTH):
    timestamp, token = str(int(time.time())), "c" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    return client.post("/anymail/mailgun/inbound_mime/", {
        "body-mime": make_email(subject="Hello via Mailgun").decode(),
        "timestamp": timestamp, "token": token, "signature": signature.hexdigest(),
    }, **auth)


def postmark_inbound(client, auth=AUTH):
    payload = {
        "FromFull": {"Email": "hook@example.com", "Name": "Hook"},
        "ToFull": [{"Email": "support@example.com", "Name": ""}], "CcFull": [],
        "Subject": "Hello via Postmark", "Date": "Thu, 5 Apr 2012 16:59:01 +0200",
        "TextBody": "Hi", "HtmlBody": "", "Attachments": [], "Headers": [],
    }
    return client.post("/anymail/postmark/inbound/", json.dumps(payload),
                       content_type="application/json", **auth)


def postmark_delivered(client, message_id: str, auth=AUTH):
    payload = {"RecordType": "Delivery", "ServerID": 23, "MessageID": "pm-1",
               "Recipient": "customer@example.com", "Tag": "", "Metadata": {},
               "DeliveredAt": "2026-12-01T06:00:00Z", "Details": "ok",
               "MessageStream": "outbound"}
    payload["Metadata"] = {"message_id": message_id}
    return client.post("/anymail/postmark/tracking/", json.dumps(payload),
                       content_type="application/json", **auth)


@pytest.fixture
def no_secret(settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}
    settings.ANYMAIL_WEBHOOK_SECRET = ""


@pytest.fixture
def configured(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}
    settings.ANYMAIL_WEBHOOK_SECRET = SECRET


def test_inbound_webhook_without_a_secret_is_refused(client, db, no_secret):
    """Before: anymail only warned and made a ticket from anyone's post."""
    assert postmark_inbound(client, auth={}).status_code == 404
    assert postmark_inbound(client).status_code == 404
    assert not InboundEmail.objects.exists()
    assert not Ticket.objects.exists()


def test_signed_inbound_webhook_without_a_secret_is_refused_too(client, db, no_secret):
    assert mailgun_inbound(client, auth={}).status_code == 404
    assert not InboundEmail.objects.exists()


def test_tracking_webhook_without_a_secret_is_refused(client, db, no_secret):
    email = OutboundEmail.objects.create(kind="t", to="customer@example.com", subject="s",
                                         body_text="b", message_id="<t1@example.com>",
                                         status=OutboundEmail.Status.SENT)
    assert postmark_delivered(client, email.message_id, auth={}).status_code == 404
    email.refresh_from_db()
    assert email.delivery == OutboundEmail.Delivery.UNKNOWN


def test_configured_webhooks_work_and_check_basic_auth(client, db, configured):
    assert postmark_inbound(client, auth={}).status_code == 400
    assert postmark_inbound(client).status_code == 200
    assert Ticket.objects.get().subject == "Hello via Postmark"


def test_esp_signature_is_verified_where_the_esp_signs(client, db, configured):
    assert mailgun_inbound(client, key="forged-key").status_code == 400
    assert not InboundEmail.objects.exists()
    assert mailgun_inbound(client).status_code == 200
    assert InboundEmail.objects.count() == 1


@pytest.mark.parametrize("path", [
    "/anymail/mailgun/inbound/", "/anymail/mailgun/tracking/",
    "/anymail/mandrill/", "/anymail/postal/tracking/", "/anymail/mailersend/inbound/",
])
def test_esp_endpoint_without_its_keys_is_404_not_500(client, db, settings, path):
    """Secret set, but the ESP's own key missing: anymail raised ImproperlyConfigured (500)."""
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    settings.ANYMAIL_WEBHOOK_SECRET = SECRET
    response = client.post(path, {"x": "1"}, **AUTH)
    assert response.status_code == 404


def test_url_names_are_unchanged(db):
    from django.urls import reverse

    assert reverse("anymail:postmark_inbound_webhook") == "/anymail/postmark/inbound/"
    assert reverse("anymail:mailgun_tracking_webhook") == "/anymail/mailgun/tracking/"


def test_deploy_check_is_an_error_without_the_secret(db, no_secret):
    ids = [message.id for message in check_webhook_security()]
    assert ids == ["helpdesk.E001"]
    with pytest.raises(SystemCheckError, match="helpdesk.E001"):
        call_command("check", "--deploy", "--fail-level", "ERROR")


def test_plain_check_is_quiet_in_development(db, no_secret, capsys):
    call_command("check")  # development: the closed endpoints are the safe default
    assert "helpdesk" not in capsys.readouterr().out


def test_deploy_check_passes_with_the_secret(configured):
    assert check_webhook_security() == []


def test_deploy_check_warns_about_an_unused_esp_signature(configured, settings):
    settings.MAILERS = {"default": {"BACKEND": "anymail.backends.sendgrid.EmailBackend",
                                    "OPTIONS": {}}}
    assert [m.id for m in check_webhook_security()] == ["helpdesk.W001"]
    settings.ANYMAIL = {**settings.ANYMAIL,
                        "SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY": "MFkwEwYH..."}
    assert check_webhook_security() == []
