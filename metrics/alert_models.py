"""Alerts above the noise (docs/relationship-surveys.md, "Alerts")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AlertSubscription(models.Model):
    """A manager wants to hear when a score of one subject moves more than the noise."""

    class Metric(models.TextChoices):
        NPS = "nps", _("NPS")
        CSAT = "csat", _("CSAT")
        CES = "ces", _("CES (% easy)")

    class Subject(models.TextChoices):
        OVERALL = "overall", _("Overall")
        CHANNEL = "channel", _("Channel")
        TEAM = "team", _("Team")
        AGENT = "agent", _("Agent")
        ORGANIZATION = "organization", _("Organization")

    class Direction(models.TextChoices):
        FALL = "fall", _("When it falls")
        ANY = "any", _("When it falls or rises")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="alert_subscriptions", verbose_name=_("manager"))
    metric = models.CharField(_("metric"), max_length=8, choices=Metric, default=Metric.NPS)
    subject = models.CharField(_("subject"), max_length=16, choices=Subject,
                               default=Subject.OVERALL)
    # The channel name, or the id of the team, agent or organization; "" for overall.
    subject_key = models.CharField(_("which"), max_length=64, blank=True)
    direction = models.CharField(_("alert"), max_length=8, choices=Direction,
                                 default=Direction.FALL)
    window_days = models.PositiveIntegerField(_("window (days)"), default=28)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("alert subscription")
        verbose_name_plural = _("alert subscriptions")
        constraints = [models.UniqueConstraint(
            fields=["user", "metric", "subject", "subject_key"], name="one_alert_subscription")]

    def __str__(self) -> str:
        return f"{self.metric} {self.subject}:{self.subject_key}"


class Alert(models.Model):
    """One fired alert. At most one per subscription's subject and metric a day
    (``one_alert_per_subject_day``), whoever else subscribes to it gets their own row."""

    subscription = models.ForeignKey(AlertSubscription, on_delete=models.CASCADE,
                                     related_name="alerts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="alerts")
    day = models.DateField(_("day"))
    message = models.CharField(_("message"), max_length=300)
    current = models.FloatField(_("current"))
    previous = models.FloatField(_("previous"))
    n_current = models.PositiveIntegerField()
    n_previous = models.PositiveIntegerField()
    p_value = models.FloatField()
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [models.UniqueConstraint(fields=["subscription", "day"],
                                               name="one_alert_per_subject_day")]
        indexes = [models.Index(fields=["user", "-created_at"], name="alert_user_idx")]

    def __str__(self) -> str:
        return self.message
