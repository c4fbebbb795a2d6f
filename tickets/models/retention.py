"""How long closed tickets' contents and quarantined raw email are kept (docs/privacy.md).

One row at most (``pk=1``), edited by admins in the Django admin or through
``/api/v1/privacy/retention/``. An empty value means "use the environment default"
(``HELPDESK_RETENTION_CLOSED_MONTHS`` / ``HELPDESK_RETENTION_QUARANTINE_DAYS``); 0 keeps
forever. ``tickets.privacy.apply_retention`` reads ``RetentionPolicy.current()``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_CLOSED_TICKET_MONTHS = 1200
MAX_QUARANTINE_DAYS = 3650


@dataclass(frozen=True)
class EffectiveRetention:
    """The periods in force: the stored value, else the environment default. 0 = keep."""

    closed_ticket_months: int
    quarantine_days: int
    stored_closed_ticket_months: int | None = None
    stored_quarantine_days: int | None = None


class RetentionPolicy(models.Model):
    SINGLETON_PK = 1

    closed_ticket_months = models.PositiveSmallIntegerField(
        _("erase closed tickets' contents after (months)"), null=True, blank=True,
        validators=[MaxValueValidator(MAX_CLOSED_TICKET_MONTHS)],
        help_text=_("What was written on a ticket closed longer ago than this is erased; the "
                    "customer and the ticket's facts stay. 0 keeps forever; empty uses the "
                    "environment default."))
    quarantine_days = models.PositiveSmallIntegerField(
        _("delete quarantined raw email after (days)"), null=True, blank=True,
        validators=[MaxValueValidator(MAX_QUARANTINE_DAYS)],
        help_text=_("Quarantined raw email older than this is deleted. 0 keeps forever; "
                    "empty uses the environment default."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("updated by"))

    class Meta:
        verbose_name = _("data retention")
        verbose_name_plural = _("data retention")

    def __str__(self) -> str:
        return str(_("Data retention"))

    def save(self, *args, **kwargs) -> None:
        self.pk = self.SINGLETON_PK  # one row: saving always writes the same one
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> EffectiveRetention:
        """The effective periods, in one query."""
        row = cls.objects.filter(pk=cls.SINGLETON_PK).values(
            "closed_ticket_months", "quarantine_days").first() or {}
        months = row.get("closed_ticket_months")
        days = row.get("quarantine_days")
        return EffectiveRetention(
            closed_ticket_months=settings.HELPDESK_RETENTION_CLOSED_MONTHS if months is None
            else months,
            quarantine_days=settings.HELPDESK_RETENTION_QUARANTINE_DAYS if days is None
            else days,
            stored_closed_ticket_months=months, stored_quarantine_days=days)
