"""Who listens to webhooks is kept per process (integrations.services.subscriptions) and
read again whenever any process changes a subscription (helpdesk/versioned.py)."""

from __future__ import annotations

import pytest

from helpdesk import cache, versioned
from integrations import services
from integrations.models import Event, WebhookSubscription

pytestmark = pytest.mark.django_db

URL = "https://hooks.example.com/helpdesk"


@pytest.fixture
def subscription(admin_user):
    return services.create_subscription(url=URL, events=[Event.TICKET_CREATED],
                                        actor=admin_user)


def listeners(event=Event.TICKET_CREATED) -> list[int]:
    return [s.pk for s in services.listening(event)]


def test_the_subscriptions_are_read_once_per_version(subscription, django_assert_num_queries):
    assert listeners() == [subscription.pk]
    with django_assert_num_queries(0):
        assert listeners() == [subscription.pk]
        assert listeners(Event.TICKET_SOLVED) == []


def test_saving_creating_and_deleting_are_seen_at_once(subscription, admin_user):
    assert listeners() == [subscription.pk]
    services.update_subscription(subscription=subscription,
                                 changes={"events": [Event.TICKET_SOLVED]})
    assert listeners() == [] and listeners(Event.TICKET_SOLVED) == [subscription.pk]
    services.update_subscription(subscription=subscription, changes={"active": False})
    assert listeners(Event.TICKET_SOLVED) == []
    other = services.create_subscription(url=URL, events=[Event.TICKET_SOLVED], actor=admin_user)
    assert listeners(Event.TICKET_SOLVED) == [other.pk]
    services.delete_subscription(subscription=other)
    assert listeners(Event.TICKET_SOLVED) == []


def test_a_change_in_another_process_is_seen_when_the_version_moves(subscription):
    assert listeners() == [subscription.pk]
    # Another process switched it off: the rows changed, this process's copy did not …
    WebhookSubscription.objects.filter(pk=subscription.pk).update(active=False)
    assert listeners() == [subscription.pk]
    # … until that process's save moves the shared version.
    versioned.bump("webhooks:subscriptions")
    assert listeners() == []


def test_without_a_cache_every_read_asks_the_database(subscription, monkeypatch,
                                                      django_assert_num_queries):
    monkeypatch.setattr(cache, "available", lambda: False)
    assert listeners() == [subscription.pk]
    WebhookSubscription.objects.filter(pk=subscription.pk).update(active=False)
    with django_assert_num_queries(1):
        assert listeners() == []
