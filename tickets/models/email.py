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
    # De-duplication key (tickets.intake.receive.dedup_key): the Message-ID with a digest of
    # sender, subject and body, or a digest of the raw bytes when there is no Message-ID.
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


class IntakeNonce(models.Model):
    """A nonce of a signed ``/api/v1/intake/<channel>/`` request, kept while its timestamp
    is inside the accepted window so the same signed request cannot be played again.

    In the database, not a cache: every web process sees it, it survives restarts, and
    the unique constraint decides a race between two copies of one request.
    """

    nonce = models.CharField(_("nonce"), max_length=64, unique=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("intake nonce")
        verbose_name_plural = _("intake nonces")

    def __str__(self) -> str:
        return self.nonce
