"""Every page keeps working while Redis (cache and Celery broker) is unreachable (issue 11,
item 6). Redis here is a real client against a loopback port where nothing listens, so
every cache call and every task enqueue meets a real connection error."""

import re
import time
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from helpdesk import cache as safe_cache
from helpdesk.celery import app
from helpdesk.models import OutboundEmail
from tickets.models import Ticket
from tickets.portal import auth

pytestmark = pytest.mark.django_db

DOWN = "redis://127.0.0.1:1/0"  # port 1: nothing listens, the connection is refused


@pytest.fixture
def redis_down():
    """Cache and broker on the dead port, tasks really enqueued (not eager). Celery reads
    its CELERY_* settings from Django's on each access, so overriding them is enough; its
    producer pool, though, keeps the URL it was made with and is rebuilt on both sides.
    Undone before the shared teardown, which empties the (then working again) cache."""
    dead = override_settings(
        CACHES={"default": {"BACKEND": "helpdesk.cache.RedisCache",  # as in settings.py
                            "LOCATION": DOWN,
                            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}},
        REDIS_URL=DOWN, CELERY_BROKER_URL=DOWN, CELERY_TASK_ALWAYS_EAGER=False)
    dead.enable()
    _new_producer_pool()
    safe_cache.reset()
    yield
    dead.disable()
    _new_producer_pool()
    safe_cache.reset()


def _new_producer_pool() -> None:
    from kombu import pools

    pools.reset()  # closes and forgets every connection and producer pool
    app._pool = None
    app.amqp._producer_pool = None


def _customer_client(client, customer):
    session = client.session
    session[auth.CUSTOMER_KEY] = customer.pk
    session.save()
    return client


def test_the_fixture_really_points_at_a_dead_redis(redis_down):
    from django.core.cache import cache

    with pytest.raises(Exception, match="(?i)connect|refused"):
        cache.get("anything")
    with (pytest.raises(Exception),  # noqa: B017 - kombu's OperationalError or redis' own
          app.connection_for_write() as connection):
        connection.ensure_connection(max_retries=1)


def test_customer_pages_work(redis_down, client, customer, ticket):
    assert client.get(reverse("portal:home")).status_code == 200
    assert client.get(reverse("portal:new")).status_code == 200
    signed_in = _customer_client(client, customer)
    assert signed_in.get(reverse("portal:home")).status_code == 200
    assert signed_in.get(reverse("portal:ticket", args=[ticket.pk])).status_code == 200
    reply = signed_in.post(reverse("portal:ticket", args=[ticket.pk]), {"message": "Still on fire"})
    assert reply.status_code == 302
    assert ticket.messages.filter(body_text__contains="Still on fire").exists()


def test_web_form_is_accepted_and_still_limited(redis_down, client, monkeypatch):
    from tickets.portal import views

    monkeypatch.setattr(views, "NEW_TICKETS_PER_EMAIL", 2)
    form = {"name": "Kalle", "email": "kalle@example.com", "subject": "Printer jam",
            "message": "Paper stuck.", "website": ""}
    codes = [client.post(reverse("portal:new"), form).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert Ticket.objects.filter(customer__email="kalle@example.com").count() == 2


def test_sign_in_link_is_sent_through_the_outbox_and_works_once(redis_down, client, customer,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("portal:home"), {"email": customer.email})
    assert page.status_code == 200
    email = OutboundEmail.objects.get(kind="sign_in")
    assert email.status == OutboundEmail.Status.QUEUED  # the broker refused; the sweeper sends
    link = re.search(r"https?://\S+/support/sign-in/\S+/", email.body_text).group(0)
    assert client.post(link).status_code == 302
    assert client.__class__().post(link).status_code == 400


def test_agent_pages_and_presence_work(redis_down, client, agent, ticket,
                                       django_capture_on_commit_callbacks):
    client.force_login(agent)
    assert client.get(reverse("tickets:queue")).status_code == 200
    assert client.get(reverse("tickets:detail", args=[ticket.pk])).status_code == 200
    presence = client.post(reverse("tickets:presence", args=[ticket.pk]), {"typing": "1"})
    assert presence.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        reply = client.post(reverse("tickets:reply", args=[ticket.pk]),
                            {"body": "We are on it.", "public": "1", "status": "pending"})
    assert reply.status_code in (200, 302)
    assert OutboundEmail.objects.filter(ticket_id=ticket.pk, status="queued").exists()


def test_a_dead_cache_costs_one_attempt_not_one_per_call(redis_down, client, agent, ticket):
    client.force_login(agent)
    started = time.monotonic()
    for _ in range(20):
        assert client.post(reverse("tickets:presence", args=[ticket.pk])).status_code == 200
    assert time.monotonic() - started < 10
    assert not safe_cache.available()


def test_metrics_dashboard_computes_without_the_cache(redis_down, client, manager, ticket):
    from metrics.fast.refresh import refresh_rollups

    today = timezone.localdate()
    refresh_rollups(since=today - timedelta(days=40), until=today)  # dashboards use the cache
    client.force_login(manager)
    page = client.get(reverse("metrics:dashboard"))
    assert page.status_code == 200
    assert client.get(reverse("metrics:dashboard"), {"days": "7"}).status_code == 200
    assert client.get(reverse("metrics:agent_dashboard")).status_code == 200


def test_staff_sign_in_and_password_reset_work(redis_down, client, agent, mailoutbox, settings):
    agent.set_password("s3cret-enough")
    agent.save(update_fields=["password"])
    assert client.post(reverse("login"), {"username": agent.email,
                                          "password": "s3cret-enough"}).status_code == 302
    client.logout()
    assert client.post(reverse("password_reset"), {"email": agent.email}).status_code == 302
    assert len(mailoutbox) == 1


def test_api_creates_tickets(redis_down, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(reverse("tickets_api:ticket-list"), {
            "subject": "Broker down", "body": "Still works?", "channel": "email",
            "customer": {"email": "api@example.com", "name": "Api"}}, format="json")
    assert response.status_code == 201, response.content


def test_health_reports_the_broker_down(redis_down, client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
