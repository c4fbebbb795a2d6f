"""Rules managers write: triggers (on ticket events) and automations (on a schedule).

A rule's conditions and actions are JSON in the shape of the API (docs/rules.md,
"Routing and automation"); ``rules.schema`` validates them and ``rules.engine``
compiles them once per process.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _empty_conditions() -> dict:
    return {"all": [], "any": []}


class Rule(models.Model):
    class Kind(models.TextChoices):
        TRIGGER = "trigger", _("Trigger")
        AUTOMATION = "automation", _("Automation")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.TRIGGER)
    events = models.JSONField(_("events"), default=list, blank=True)
    conditions = models.JSONField(_("conditions"), default=_empty_conditions, blank=True)
    actions = models.JSONField(_("actions"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    # The default rules shipped by a migration carry a key, so a later migration can
    # find them after a manager has renamed or reworded them.
    system_key = models.CharField(_("built-in rule"), max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("updated by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["kind", "position", "pk"]
        indexes = [
            # The engine loads the active rules of one kind in order.
            models.Index(fields=["kind", "active", "position"], name="rule_kind_active_pos_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["system_key"], condition=~models.Q(system_key=""),
                                    name="rule_system_key_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class RuleFiring(models.Model):
    """An automation fired on a ticket. The unique pair makes it fire once per ticket
    until its conditions stop holding (then the row is deleted and it may fire again)."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="firings")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    fired_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("automation firing")
        verbose_name_plural = _("automation firings")
        constraints = [
            models.UniqueConstraint(fields=["rule", "ticket"], name="rule_firing_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} on {self.ticket_id}"
