"""Where a new ticket goes first: the default team per channel and per receiving address.

Every ticket belongs to a team from the moment it exists (docs/teams.md); these two
tables, edited in the admin, say which. ``tickets.routing.default_team`` reads them.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .core import Channel, Team

ANY_CHANNEL = ""


class ChannelDefault(models.Model):
    """The team that receives new tickets of one channel; the blank channel is the
    fallback for every channel without a row of its own (the installation's default team)."""

    channel = models.CharField(
        _("channel"), max_length=16, blank=True, unique=True,
        choices=[(ANY_CHANNEL, _("Any other channel")), *Channel.choices],
        help_text=_("Leave as “Any other channel” for the default team of the whole helpdesk."),
    )
    # PROTECT: deleting the team would leave new tickets without one.
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="channel_defaults",
                             verbose_name=_("team"))

    class Meta:
        verbose_name = _("default team of a channel")
        verbose_name_plural = _("default teams of channels")
        ordering = ["channel"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.team}"


class ReceivingAddress(models.Model):
    """An address the helpdesk receives email at (To, Cc or the envelope recipient), and
    the team whose tickets its new mail becomes. Wins over the email channel's default."""

    address = models.EmailField(_("address"), max_length=320)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="receiving_addresses",
                             verbose_name=_("team"))

    class Meta:
        verbose_name = _("receiving address")
        verbose_name_plural = _("receiving addresses")
        ordering = ["address"]
        constraints = [
            models.UniqueConstraint(Lower("address"), name="receiving_address_ci_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.address} → {self.team}"

    def save(self, *args, **kwargs):
        self.address = self.address.strip().lower()
        super().save(*args, **kwargs)
