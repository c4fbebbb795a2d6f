"""Rows behind the insights (docs/insights.md): per-response ticket facts for the key
drivers, and the comment themes with each comment's theme. Like the rollups, these are
caches recomputed from tickets and surveys, never a source of truth."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ResponseFacts(models.Model):
    """One row per survey response on its metric's current scale, by the local day of the
    response: its score and filter columns, and the ticket facts the drivers group by, as
    of the refresh of that day (metrics/insights/facts.py holds the one definition).
    Nullable facts are unknown for that ticket (no SLA target, not solved, no reply)."""

    response_id = models.BigIntegerField(primary_key=True)
    day = models.DateField()
    metric = models.CharField(max_length=8)
    kind = models.CharField(max_length=16, default="transactional")  # surveys.models.Kind
    ticket_id = models.BigIntegerField(null=True)  # None for a relationship answer
    score = models.SmallIntegerField()
    channel = models.CharField(max_length=16)
    agent_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    organization_tier = models.CharField(max_length=16)
    priority = models.CharField(max_length=16)
    first_response_sla = models.SmallIntegerField(null=True)  # 0 met, 1 breached
    resolution_sla = models.SmallIntegerField(null=True)  # 0 met, 1 breached
    reopened = models.SmallIntegerField()  # 0 or 1
    fcr = models.SmallIntegerField(null=True)  # 0 or 1, solved tickets only
    agent_replies = models.SmallIntegerField()  # public agent replies, capped at 3
    handoffs = models.SmallIntegerField()  # passes to another agent or team, capped at 9

    class Meta:
        verbose_name = _("response facts")
        verbose_name_plural = _("response facts")
        # The drivers read one kind and metric over a range of days; a ticket's custom
        # field change finds the days of its responses (custom_factors.refresh_tickets).
        indexes = [models.Index(fields=["kind", "metric", "day"], name="facts_kind_metric_day_idx"),
                   models.Index(fields=["ticket_id"], name="facts_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.metric} {self.response_id}"


class DriverCounts(models.Model):
    """The drivers' counts per local day, survey kind, metric, channel, factor and level
    (factor "" and level "": every response of the day and channel), from ResponseFacts at its refresh (custom
    field factors: at the tickets' current values, rewritten when they change):
    an unfiltered period sums these few rows instead of grouping every response
    (metrics/insights/facts.py refresh_driver_counts)."""

    day = models.DateField()
    kind = models.CharField(max_length=16)
    metric = models.CharField(max_length=8)
    channel = models.CharField(max_length=16, blank=True)  # the response's ("" relationship)
    factor = models.CharField(max_length=40, blank=True)
    # a custom dropdown's option key (up to 64 characters; a stored value up to 255)
    level = models.CharField(max_length=255, blank=True)
    n = models.IntegerField()
    good = models.IntegerField()
    bad = models.IntegerField()
    total = models.BigIntegerField()  # sum of scores
    squares = models.BigIntegerField()  # sum of squared scores

    class Meta:
        verbose_name = _("driver counts")
        verbose_name_plural = _("driver counts")
        indexes = [models.Index(fields=["kind", "metric", "day"], name="driver_counts_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.metric} {self.factor}={self.level}: {self.n}"


class ThemeModel(models.Model):
    """One fitted set of comment themes: the vocabulary (stem → column, idf, readable
    form) and when it was fitted. A refit replaces the previous one whole."""

    fitted_at = models.DateTimeField(default=timezone.now)
    vocabulary = models.JSONField(default=dict)  # {stem: [column, idf]}
    comments = models.IntegerField(default=0)
    # Names this fit for the processes that hold it in memory (fitting._loaded): an id
    # alone may come back with other themes after a database is restored or rolled back.
    version = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        verbose_name = _("comment theme model")
        verbose_name_plural = _("comment theme models")

    def __str__(self) -> str:
        return f"{self.fitted_at:%Y-%m-%d %H:%M} ({self.comments})"


class CommentTheme(models.Model):
    model = models.ForeignKey(ThemeModel, on_delete=models.CASCADE, related_name="themes")
    position = models.SmallIntegerField(default=0)
    label = models.CharField(max_length=200)
    words = models.JSONField(default=list)  # readable top words, most typical first
    language = models.CharField(max_length=8, blank=True)
    centroid = models.JSONField(default=list)  # [[column, weight], ...], unit length

    class Meta:
        verbose_name = _("comment theme")
        verbose_name_plural = _("comment themes")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label


class ResponseTheme(models.Model):
    """The theme of one response's comment (the nearest centroid)."""

    response = models.OneToOneField("surveys.Response", on_delete=models.CASCADE,
                                    primary_key=True, related_name="comment_theme")
    theme = models.ForeignKey(CommentTheme, on_delete=models.CASCADE, related_name="responses")
    similarity = models.FloatField(default=0)

    class Meta:
        verbose_name = _("theme of a comment")
        verbose_name_plural = _("themes of comments")

    def __str__(self) -> str:
        return f"{self.response_id} → {self.theme_id}"
