"""``/api/v1/webhooks/``: admins only, bad input named, the delivery log."""

from __future__ import annotations

import pytest
import yaml
from rest_framework.test import APIClient

from integrations import services
from integrations.models import WebhookDelivery, WebhookSubscription
from tests.conftest import api_client_for


@pytest.fixture
def admin_api(admin_user):
    return api_client_for(admin_user)


def test_admin_subscribes_a_url_and_gets_a_generated_secret(admin_api, admin_user):
    response = admin_api.post("/api/v1/webhooks/", {
        "url": "https://crm.example.com/hooks/helpdesk", "events": ["ticket.created"]})
    assert response.status_code == 201, response.data
    assert response.data["url"] == "https://crm.example.com/hooks/helpdesk"
    assert response.data["events"] == ["ticket.created"]
    assert response.data["active"] is True
    assert len(response.data["secret"]) == 64
    subscription = WebhookSubscription.objects.get()
    assert subscription.created_by == admin_user
    assert admin_api.get("/api/v1/webhooks/").data["results"][0]["id"] == subscription.pk


@pytest.mark.parametrize("payload, field", [
    ({"url": "ftp://crm.example.com/x", "events": ["ticket.created"]}, "url"),
    ({"url": "not a url", "events": ["ticket.created"]}, "url"),
    ({"url": "http://10.0.0.5/hook", "events": ["ticket.created"]}, "url"),
    ({"url": "http://169.254.169.254/latest/meta-data", "events": ["ticket.created"]}, "url"),
    ({"url": "http://[::1]:9000/hook", "events": ["ticket.created"]}, "url"),
    ({"url": "http://127.0.0.1:8000/api/v1/tickets/", "events": ["ticket.created"]}, "url"),
    ({"url": "http://localhost/hook", "events": ["ticket.created"]}, "url"),
    ({"url": "https://crm.example.com/x", "events": ["ticket.exploded"]}, "events"),
    ({"url": "https://crm.example.com/x", "events": []}, "events"),
    ({"url": "https://crm.example.com/x", "events": "ticket.created"}, "events"),
    ({"url": "https://crm.example.com/x", "events": ["ticket.created"], "secret": "short"},
     "secret"),
    ({"url": "https://crm.example.com/x", "events": ["ticket.created"], "actvie": True},
     "actvie"),
    ({"events": ["ticket.created"]}, "url"),
])
def test_bad_input_is_refused_naming_the_field(admin_api, payload, field):
    response = admin_api.post("/api/v1/webhooks/", payload, format="json")
    assert response.status_code == 400
    assert list(response.data) == [field]
    assert not WebhookSubscription.objects.exists()


def test_agents_and_managers_may_not_touch_webhooks(agent, manager):
    for user in (agent, manager):
        client = api_client_for(user)
        assert client.get("/api/v1/webhooks/").status_code == 403
        assert client.post("/api/v1/webhooks/", {"url": "https://x.example.com",
                                                 "events": ["ticket.created"]}).status_code == 403
    assert APIClient().get("/api/v1/webhooks/").status_code in (401, 403)


def test_patch_changes_only_what_is_given_and_reactivation_forgets_failures(admin_api,
                                                                            admin_user):
    subscription = services.create_subscription(url="https://crm.example.com/a",
                                                events=["ticket.created"], actor=admin_user)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        active=False, failing_since="2026-01-01T00:00:00Z", disabled_at="2026-01-02T00:00:00Z")
    response = admin_api.patch(f"/api/v1/webhooks/{subscription.pk}/",
                               {"active": True, "events": ["ticket.solved", "ticket.closed"]})
    assert response.status_code == 200, response.data
    subscription.refresh_from_db()
    assert subscription.active and subscription.failing_since is None
    assert subscription.disabled_at is None
    assert subscription.events == ["ticket.solved", "ticket.closed"]
    assert subscription.url == "https://crm.example.com/a"
    bad = admin_api.patch(f"/api/v1/webhooks/{subscription.pk}/", {"url": "file:///etc/passwd"})
    assert bad.status_code == 400 and list(bad.data) == ["url"]


def test_delete_and_unknown_ids(admin_api, admin_user):
    subscription = services.create_subscription(url="https://crm.example.com/a",
                                                events=["ticket.created"], actor=admin_user)
    assert admin_api.get("/api/v1/webhooks/abc/").status_code == 404
    assert admin_api.get("/api/v1/webhooks/999999/deliveries/").status_code == 404
    assert admin_api.delete(f"/api/v1/webhooks/{subscription.pk}/").status_code == 204
    assert not WebhookSubscription.objects.exists()


def test_deliveries_lists_the_log_newest_first_in_constant_queries(
        admin_api, admin_user, ticket, django_assert_max_num_queries):
    subscription = services.create_subscription(url="https://crm.example.com/a",
                                                events=["ticket.created"], actor=admin_user)
    for n in range(5):
        WebhookDelivery.objects.create(subscription=subscription, ticket=ticket,
                                       url=subscription.url, event="ticket.created",
                                       payload={"n": n}, secret="x" * 20,
                                       status=WebhookDelivery.Status.SENT, attempts=1,
                                       last_status_code=200, response_ms=12 + n,
                                       response_body="ok")
    with django_assert_max_num_queries(6):
        response = admin_api.get(f"/api/v1/webhooks/{subscription.pk}/deliveries/")
    assert response.status_code == 200
    rows = response.data["results"]
    assert [r["payload"]["n"] for r in rows] == [4, 3, 2, 1, 0]
    assert set(rows[0]) >= {"delivery", "event", "status", "attempts", "last_status_code",
                            "response_ms", "response_body", "error", "created_at"}


def test_schema_lists_the_webhook_endpoints(db):
    paths = yaml.safe_load(APIClient().get("/api/schema/").content)["paths"]
    assert set(paths["/api/v1/webhooks/"]) >= {"get", "post"}
    assert set(paths["/api/v1/webhooks/{id}/"]) >= {"get", "patch", "delete"}
    assert "get" in paths["/api/v1/webhooks/{id}/deliveries/"]
