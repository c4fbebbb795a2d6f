"""A live chat: the real-time side of a ticket on the chat channel (docs/live-chat.md).

The conversation itself is the ticket's messages; this row holds what only a chat
has: who is talking, since when, and how it ended, so the dashboard's chat figures
(waiting time, duration, missed chats) are one scan of this table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Chat(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for an agent")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")
        # docs/metrics.md: the visitor left, or the chat fell back to email, before an agent joined.
        MISSED = "missed", _("Missed")

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE,
                                  related_name="chat", verbose_name=_("ticket"))
    status = models.CharField(_("status"), max_length=8, choices=Status,
                              default=Status.WAITING)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="chats", verbose_name=_("agent"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    first_agent_message_at = models.DateTimeField(_("first agent message at"), null=True,
                                                  blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    rated = models.BooleanField(_("rated"), default=False)
    # When the widget first asked for a rating: an ask under the one contact budget
    # (chat/contact.py, docs/relationship-surveys.md).
    rating_requested_at = models.DateTimeField(_("rating asked at"), null=True, blank=True)
    # When the visitor's last socket closed; cleared when one (re)connects. The sweep
    # (chat/sweep.py) makes a waiting chat whose visitor stayed away a missed chat.
    visitor_left_at = models.DateTimeField(_("visitor left at"), null=True, blank=True)

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        indexes = [
            # The inbox: waiting and active chats, oldest first.
            models.Index(fields=["status", "started_at"], name="chat_status_started_idx"),
            # Capacity: an agent's active chats.
            models.Index(fields=["agent", "status"], name="chat_agent_status_idx"),
            # Dashboard figures over a period.
            models.Index(fields=["started_at"], name="chat_started_idx"),
        ]

    def __str__(self) -> str:
        return f"chat {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.WAITING, self.Status.ACTIVE)


class AgentChatSettings(models.Model):
    """An agent's chat settings (docs/live-chat.md, "Assignment"): how many chats they
    take at once. Without a row the agent has ``HELPDESK_CHAT_CAPACITY``; managers
    change it (API ``/api/v1/chats/capacity/``, the admin)."""

    agent = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="chat_settings", verbose_name=_("agent"))
    capacity = models.PositiveSmallIntegerField(
        _("chat capacity"), help_text=_("How many chats the agent takes at once."))

    class Meta:
        verbose_name = _("agent chat settings")
        verbose_name_plural = _("agent chat settings")

    def __str__(self) -> str:
        return f"{self.agent}: {self.capacity}"


class TeamChatHours(models.Model):
    """When a team chats (docs/live-chat.md, "Outside business hours"): the business
    calendar (tickets' calendars, the SLA's) whose working time is the team's chat hours.
    Without a row the team chats whenever an agent is available."""

    team = models.OneToOneField("tickets.Team", on_delete=models.CASCADE,
                                related_name="chat_hours", verbose_name=_("team"))
    calendar = models.ForeignKey("tickets.BusinessCalendar", on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("business calendar"))

    class Meta:
        verbose_name = _("chat hours")
        verbose_name_plural = _("chat hours")

    def __str__(self) -> str:
        return f"{self.team}: {self.calendar}"
