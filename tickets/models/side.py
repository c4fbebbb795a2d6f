"""Side conversations: a ticket, or one message of it, forwarded to someone outside
the ticket (a supplier, another department). Their answers come back as internal
notes on the ticket and are never emailed to the customer (docs/replies.md)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_hex(6)


class SideConversation(models.Model):
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE,
                               related_name="side_conversations", verbose_name=_("ticket"))
    # The token in the subject ("[#SC-…]") and in every Message-ID we send for it: an
    # answer threads back by either, never by the ticket's own reference.
    token = models.CharField(_("token"), max_length=24, unique=True, default=new_token)
    to = models.EmailField(_("to"), max_length=320)
    subject = models.CharField(_("subject"), max_length=255)
    forwarded_message = models.ForeignKey(
        "tickets.Message", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("forwarded message"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("started by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("side conversation")
        verbose_name_plural = _("side conversations")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.subject_tag} → {self.to}"

    @property
    def subject_tag(self) -> str:
        return f"[#SC-{self.token}]"
