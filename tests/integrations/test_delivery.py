"""Webhook deliveries against a real HTTP server on loopback."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from integrations import sending, services
from integrations.models import WebhookDelivery, WebhookSubscription
from tickets import services as ticket_services

SECRET = "s3cret-s3cret-s3cret"


@pytest.fixture
def subscription(receiver, admin_user):
    return services.create_subscription(url=receiver.url, secret=SECRET, actor=admin_user,
                                        events=["ticket.created", "ticket.solved",
                                                "message.customer", "message.agent"])


def new_ticket(customer, team, capture):
    with capture(execute=True):
        return ticket_services.create_ticket(ticket_services.NewTicket(
            subject="Printer on fire", body="It burns.", customer=customer, channel="email",
            team=team
        ))


def test_created_ticket_is_posted_signed_with_the_secret(
        subscription, receiver, customer, team, django_capture_on_commit_callbacks):
    ticket = new_ticket(customer, team, django_capture_on_commit_callbacks)

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    expected = "sha256=" + hmac.new(SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-Helpdesk-Signature"] == expected
    assert request["headers"]["X-Helpdesk-Event"] == "ticket.created"
    payload = json.loads(request["body"])
    assert set(payload) == {"event", "delivery", "created_at", "ticket"}
    assert payload["event"] == "ticket.created"
    assert payload["delivery"] == request["headers"]["X-Helpdesk-Delivery"]
    assert payload["ticket"]["reference"] == ticket.reference
    assert payload["ticket"]["customer"]["email"] == customer.email
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.SENT
    assert delivery.last_status_code == 200
    assert delivery.response_ms is not None
    assert '"received": true' in delivery.response_body


def test_unsubscribed_event_and_internal_note_are_not_posted(
        subscription, receiver, ticket, agent, django_capture_on_commit_callbacks):
    receiver.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.add_internal_note(ticket=ticket, agent=agent, body="Between us.")
        ticket_services.change_priority(ticket=ticket, priority="high", actor=agent)
    assert receiver.requests == []
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.reply_to_ticket(ticket=ticket, agent=agent, body="On it.")
    assert [r["headers"]["X-Helpdesk-Event"] for r in receiver.requests] == ["message.agent"]


def test_customer_reply_is_message_customer_but_first_message_is_not(
        subscription, receiver, customer, team, django_capture_on_commit_callbacks):
    ticket = new_ticket(customer, team, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.add_customer_message(ticket=ticket, customer=customer, body="Still.")
    events = [r["headers"]["X-Helpdesk-Event"] for r in receiver.requests]
    assert events == ["ticket.created", "message.customer"]


def test_a_500_is_retried_after_the_backoff_with_the_same_delivery_id(
        subscription, receiver, customer, team, django_capture_on_commit_callbacks):
    receiver.statuses = [500]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        new_ticket(customer, team, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == WebhookDelivery.Status.PENDING
        assert delivery.last_status_code == 500
        assert delivery.next_attempt_at == start + timedelta(seconds=30)
        assert sending.sweep() == []  # not due yet
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        assert sending.sweep() == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SENT
    assert delivery.attempts == 2
    ids = [r["headers"]["X-Helpdesk-Delivery"] for r in receiver.requests]
    assert ids == [str(delivery.delivery)] * 2
    assert [json.loads(r["body"]) for r in receiver.requests][0] == json.loads(
        receiver.requests[1]["body"])
    subscription.refresh_from_db()
    assert subscription.failing_since is None


def test_every_delivery_gets_its_own_id(subscription, receiver, ticket, agent, customer,
                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            ticket_services.add_customer_message(ticket=ticket, customer=customer, body=f"#{n}")
    ids = [r["headers"]["X-Helpdesk-Delivery"] for r in receiver.requests]
    assert len(ids) == 4  # ticket.created + three customer messages
    assert len(set(ids)) == 4
    assert set(WebhookDelivery.objects.values_list("delivery", flat=True)) == {
        __import__("uuid").UUID(i) for i in ids}


def test_a_subscription_failing_for_a_day_is_disabled_and_admins_are_emailed(
        subscription, receiver, customer, team, admin_user, mailoutbox,
        django_capture_on_commit_callbacks):
    receiver.statuses = [500] * 100
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        new_ticket(customer, team, django_capture_on_commit_callbacks)
    subscription.refresh_from_db()
    assert subscription.failing_since == start and subscription.active
    with time_machine.travel(start + timedelta(hours=23), tick=False):
        sending.sweep()
    subscription.refresh_from_db()
    assert subscription.active  # failing, but not for a day yet
    assert [m for m in mailoutbox if admin_user.email in m.to] == []
    with (time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        sending.sweep()
    subscription.refresh_from_db()
    assert not subscription.active
    assert subscription.disabled_at is not None
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.FAILED
    alerts = [m for m in mailoutbox if admin_user.email in m.to]
    assert len(alerts) == 1
    assert receiver.url in alerts[0].subject
    assert f"/admin/integrations/webhooksubscription/{subscription.pk}/" in alerts[0].body
    # Switched off: a new event is not queued at all.
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.create_ticket(ticket_services.NewTicket(
            subject="Another", body="x", customer=customer, team=team
        ))
    assert WebhookDelivery.objects.count() == 1


def test_success_in_between_resets_the_failure_clock(
        subscription, receiver, customer, team, django_capture_on_commit_callbacks):
    receiver.statuses = [500, 200, 500]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        new_ticket(customer, team, django_capture_on_commit_callbacks)
    with time_machine.travel(start + timedelta(hours=20), tick=False):
        sending.sweep()  # the retry succeeds
        new_ticket(customer, team, django_capture_on_commit_callbacks)  # fails
    subscription.refresh_from_db()
    assert subscription.failing_since == start + timedelta(hours=20)
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        sending.sweep()
    subscription.refresh_from_db()
    assert subscription.active


def test_rule_delivery_without_subscription_is_signed_with_its_own_secret(
        receiver, ticket, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.queue_webhook_delivery(url=receiver.url, secret="rule-secret-123456",
                                                   event="ticket.updated", ticket=ticket)
    body = receiver.requests[0]["body"]
    assert receiver.requests[0]["headers"]["X-Helpdesk-Signature"] == "sha256=" + hmac.new(
        b"rule-secret-123456", body, hashlib.sha256).hexdigest()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SENT


def test_loopback_is_refused_unless_allowed(receiver, ticket, settings,
                                            django_capture_on_commit_callbacks):
    settings.HELPDESK_WEBHOOK_ALLOWED_NETWORKS = []
    url = receiver.url.replace("127.0.0.1", "localhost")  # a name, checked when sent
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.queue_webhook_delivery(url=url, secret=SECRET,
                                                   event="ticket.updated", ticket=ticket)
    delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert "private or local address" in delivery.error


def test_deleted_subscription_keeps_its_log(subscription, ticket, receiver,
                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_subscribers(event="ticket.solved", ticket_id=ticket.pk)
    services.delete_subscription(subscription=subscription)
    assert not WebhookSubscription.objects.exists()
    assert WebhookDelivery.objects.count() == 2  # ticket.created and ticket.solved
    assert not WebhookDelivery.objects.filter(subscription__isnull=False).exists()


def test_first_survey_answer_is_posted_as_survey_answered(
        receiver, admin_user, ticket, customer, django_capture_on_commit_callbacks):
    from surveys import services as survey_services
    from surveys.models import Invitation, SurveyProgram

    services.create_subscription(url=receiver.url, secret=SECRET, actor=admin_user,
                                 events=["survey.answered"])
    program = SurveyProgram.objects.create(name="CSAT", metric="csat", trigger="closed",
                                           question_en="Happy?", question_fi="Tyytyväinen?")
    now = timezone.now()
    invitation = Invitation.objects.create(
        program=program, ticket=ticket, customer=customer, metric="csat",
        status=Invitation.Status.SENT, send_after=now, sent_at=now,
        expires_at=now + timedelta(days=14))
    with django_capture_on_commit_callbacks(execute=True):
        survey_services.record_response(invitation=invitation, score=5)
    with django_capture_on_commit_callbacks(execute=True):
        survey_services.record_response(invitation=invitation, score=4)  # changed: not again
    events = [r["headers"]["X-Helpdesk-Event"] for r in receiver.requests]
    assert events == ["survey.answered"]
    assert json.loads(receiver.requests[0]["body"])["ticket"]["id"] == ticket.pk


def test_a_claimed_delivery_is_not_claimed_again_until_its_lease_ends(ticket, receiver):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        delivery = services.queue_webhook_delivery(url=receiver.url, secret=SECRET,
                                                   event="ticket.updated", ticket=ticket)
        assert sending.claim(delivery.pk, now=start) is True
        assert sending.claim(delivery.pk, now=start) is False  # a second worker
        assert sending.sweep() == []  # the lease keeps the sweeper off it
    # The first worker died mid-POST: after the lease the row is sent again, same id.
    with time_machine.travel(start + sending.LEASE + timedelta(seconds=1), tick=False):
        assert sending.sweep() == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SENT and delivery.attempts == 2
    assert receiver.requests[0]["headers"]["X-Helpdesk-Delivery"] == str(delivery.delivery)


def test_redirects_are_not_followed(receiver, ticket, django_capture_on_commit_callbacks):
    receiver.statuses = [302]
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.queue_webhook_delivery(url=receiver.url, secret=SECRET,
                                                   event="ticket.updated", ticket=ticket)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.last_status_code == 302 and delivery.error == "HTTP 302"
    assert len(receiver.requests) == 1


def test_one_change_set_is_one_ticket_updated(receiver, admin_user, ticket, agent,
                                              django_capture_on_commit_callbacks):
    from tickets.services.changes import apply_ticket_changes

    services.create_subscription(url=receiver.url, secret=SECRET, actor=admin_user,
                                 events=["ticket.updated"])
    with django_capture_on_commit_callbacks(execute=True):
        apply_ticket_changes(ticket=ticket, actor=agent, source="web", changes={
            "priority": "high", "add_tags": ["vip"], "assignee": agent})
    assert [r["headers"]["X-Helpdesk-Event"] for r in receiver.requests] == ["ticket.updated"]
    ticket_data = json.loads(receiver.requests[0]["body"])["ticket"]
    assert ticket_data["priority"] == "high" and ticket_data["tags"] == ["vip"]
    assert ticket_data["assignee"]["id"] == agent.pk
