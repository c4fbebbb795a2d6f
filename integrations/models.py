"""Outgoing webhooks: who wants to hear about which ticket events, and every POST we made.

A ``WebhookDelivery`` is an outbox row: it is written in the transaction of the change
that caused it and a Celery task sends it after commit (see docs/macros-and-webhooks.md).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    """The ticket events a subscription may listen to (names as in docs/macros-and-webhooks.md)."""

    TICKET_CREATED = "ticket.created", _("Ticket created")
    TICKET_UPDATED = "ticket.updated", _("Ticket updated")
    MESSAGE_CUSTOMER = "message.customer", _("Customer wrote")
    MESSAGE_AGENT = "message.agent", _("Agent replied")
    TICKET_SOLVED = "ticket.solved", _("Ticket solved")
    TICKET_CLOSED = "ticket.closed", _("Ticket closed")
    TICKET_REOPENED = "ticket.reopened", _("Ticket reopened")
    SURVEY_ANSWERED = "survey.answered", _("Survey answered")


class WebhookSubscription(models.Model):
    """An admin's request to have some ticket events POSTed to a URL."""

    url = models.URLField(_("URL"), max_length=2000)
    # A list of Event values. Subscriptions are few, so matching an event is done in
    # Python over the active ones rather than with a JSON query SQLite cannot run.
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("signing secret"), max_length=200,
                              help_text=_("Each delivery is signed with HMAC-SHA256 of this."))
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Set by the first failed delivery after a success, cleared by the next success.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    disabled_at = models.DateTimeField(
        _("disabled at"), null=True, blank=True,
        help_text=_("Set when the subscription was switched off for failing too long."))

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url

    def listens_to(self, event: str) -> bool:
        return event in (self.events or [])


class WebhookDelivery(models.Model):
    """One event POSTed (or to be POSTed) to one URL, with the log of its last attempt.

    ``delivery`` is the id receivers see in X-Helpdesk-Delivery: new for every
    delivery, the same on each retry of it, so a receiver can drop duplicates.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="deliveries",
                                     verbose_name=_("subscription"))
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("ticket"))
    url = models.URLField(_("URL"), max_length=2000)
    event = models.CharField(_("event"), max_length=40)
    delivery = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True,
                                editable=False)
    payload = models.JSONField(_("payload"))
    # Kept with the row so a retry signs with the secret the delivery was queued with,
    # also for deliveries of rules, which have no subscription.
    secret = models.CharField(_("signing secret"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status,
                              default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status code"), null=True,
                                                        blank=True)
    response_ms = models.PositiveIntegerField(_("response time (ms)"), null=True, blank=True)
    response_body = models.TextField(_("response body (excerpt)"), blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweeper: pending rows whose next attempt is due.
            models.Index(fields=["next_attempt_at"], name="webhook_due_idx",
                         condition=models.Q(status="pending")),
            # A subscription's delivery log, newest first (API and admin).
            models.Index(fields=["subscription", "-created_at"],
                         name="webhook_sub_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.url}"
