"""The webhook admin pages: admins only, the same checks as the API, a readable log."""

from __future__ import annotations

from integrations import services
from integrations.models import WebhookDelivery, WebhookSubscription
from tests.factories import UserFactory

ADD = "/admin/integrations/webhooksubscription/add/"


def test_admin_adds_a_subscription_through_the_service(client, admin_user):
    client.force_login(admin_user)
    response = client.post(ADD, {"url": "https://crm.example.com/hook",
                                 "events": ["ticket.created", "ticket.closed"], "secret": "",
                                 "active": "on"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    subscription = WebhookSubscription.objects.get()
    assert subscription.events == ["ticket.created", "ticket.closed"]
    assert subscription.created_by == admin_user and len(subscription.secret) == 64


def test_admin_form_refuses_private_addresses_and_short_secrets(client, admin_user):
    client.force_login(admin_user)
    response = client.post(ADD, {"url": "http://169.254.169.254/latest", "secret": "short",
                                 "events": ["ticket.created"], "active": "on"})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"url", "secret"}
    assert not WebhookSubscription.objects.exists()


def test_staff_who_are_not_admins_cannot_see_webhooks(client, db):
    manager = UserFactory(role="manager", is_staff=True)
    client.force_login(manager)
    assert client.get("/admin/integrations/webhooksubscription/").status_code == 403
    assert client.get("/admin/integrations/webhookdelivery/").status_code == 403


def test_delivery_log_and_list_pages_open(client, admin_user, ticket,
                                          django_assert_max_num_queries):
    subscription = services.create_subscription(url="https://crm.example.com/hook",
                                                events=["ticket.created"], actor=admin_user)
    for status in ("sent", "failed", "pending"):
        WebhookDelivery.objects.create(subscription=subscription, ticket=ticket,
                                       url=subscription.url, event="ticket.created",
                                       payload={}, secret="x" * 20, status=status)
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        page = client.get("/admin/integrations/webhooksubscription/")
    assert "1 sent, 1 failed" in page.text
    log = client.get("/admin/integrations/webhookdelivery/")
    assert log.status_code == 200 and log.text.count("crm.example.com/hook") >= 3
