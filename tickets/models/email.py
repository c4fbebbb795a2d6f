"""Every inbound email as received: the intake's log, its de-duplication and its quarantine."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InboundEmail(models.Model):
    class Source(models.TextChoices):
        WEBHOOK = "webhook", _("ESP webhook")
        IMAP = "imap", _("IMAP mailbox")
        FILE = "file", _("Command line")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        CREATED = "created", _("Created a ticket")
        ADDED = "added", _("Added to a ticket")
        SKIPPED = "skipped", _("Skipped")
        QUARANTINED = "quarantined", _("Quarantined")

    source = models.CharField(_("source"), max_length=16, choices=Source)
    esp = models.CharField(_("ESP"), max_length=40, blank=True)
    # Raw RFC 822 bytes, kept so nothing is ever lost and quarantined mail can be retried.
    raw = models.BinaryField(_("raw message"))
    # De-duplication key: the Message-ID, or a digest of the raw bytes when there is none.
    dedup_key = models.CharField(_("de-duplication key"), max_length=255, unique=True)
    email_message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    sender = models.CharField(_("sender"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.RECEIVED)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="inbound_emails")
    message = models.ForeignKey("tickets.Message", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="inbound_emails")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        indexes = [
            models.Index(fields=["status", "-received_at"], name="inbound_status_idx"),
            # The per-sender rate limit counts a sender's recent mail.
            models.Index(fields=["sender", "-received_at"], name="inbound_sender_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sender or '?'}: {self.subject or '-'} ({self.get_status_display()})"
