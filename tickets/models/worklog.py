"""Time agents spend on tickets (docs/time-tracking.md) and links between tickets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .core import Team, Ticket


class TimeEntry(models.Model):
    """Time one agent spent on one ticket: a finished timer or a manual entry.

    A running timer is a row without ``seconds``; it lives on the server so it
    survives a reload, another tab or another device. At most one runs per agent and
    ticket."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="time_entries",
                               verbose_name=_("ticket"))
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="time_entries", verbose_name=_("agent"))
    # The ticket's team when the time was logged: a later move does not rewrite reports.
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("team"))
    # When the work happened (the timer's start; a manual entry's date): reports use it.
    worked_at = models.DateTimeField(_("worked at"), default=timezone.now)
    seconds = models.PositiveIntegerField(_("duration in seconds"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    is_timer = models.BooleanField(_("from the timer"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        ordering = ["-worked_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "agent"], condition=Q(seconds__isnull=True),
                                    name="time_entry_one_running_timer"),
        ]
        indexes = [
            models.Index(fields=["ticket", "worked_at"], name="time_entry_ticket_idx"),
            # The time report: entries of a period, grouped.
            models.Index(fields=["worked_at"], name="time_entry_worked_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} on {self.ticket_id}: {self.seconds}s"

    @property
    def running(self) -> bool:
        return self.seconds is None


class TicketLink(models.Model):
    """Two tickets that belong together. ``related`` is symmetric; ``incident`` says
    that ``source`` is an incident of the problem ``target``."""

    class Kind(models.TextChoices):
        RELATED = "related", _("Related")
        INCIDENT = "incident", _("Incident of problem")

    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out",
                               verbose_name=_("ticket"))
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in",
                               verbose_name=_("linked ticket"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="ticket_link_unique"),
            # An incident belongs to one problem.
            models.UniqueConstraint(fields=["source"], condition=Q(kind="incident"),
                                    name="ticket_link_one_problem"),
            models.CheckConstraint(condition=~Q(source=models.F("target")),
                                   name="ticket_link_not_self"),
        ]
        indexes = [models.Index(fields=["target", "kind"], name="ticket_link_target_idx")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"
