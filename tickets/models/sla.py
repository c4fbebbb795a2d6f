"""Business-hours calendars, SLA policies and each ticket's SLA clocks (TicketSLA)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BusinessCalendar(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Helsinki")
    # Public holidays from the `holidays` package (ISO country and subdivision codes).
    holiday_country = models.CharField(_("holiday country"), max_length=8, blank=True, default="FI")
    holiday_subdivision = models.CharField(_("holiday subdivision"), max_length=16, blank=True)
    is_default = models.BooleanField(_("default calendar"), default=False)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name


class WorkingInterval(models.Model):
    """One stretch of working time on a weekday (several per day allowed)."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="intervals"
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=[(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
                 (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday"))],
    )
    start = models.TimeField(_("starts"))
    end = models.TimeField(_("ends"))

    class Meta:
        verbose_name = _("working interval")
        verbose_name_plural = _("working intervals")
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")),
                                   name="interval_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class CustomHoliday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="custom_holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("custom holiday")
        verbose_name_plural = _("custom holidays")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="custom_holiday_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SLAPolicy(models.Model):
    """An ordered rule: the first active policy whose conditions match a ticket applies.

    Empty condition lists match anything. Targets are in business minutes of
    the policy's calendar.
    """

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    tiers = models.JSONField(_("organization tiers"), default=list, blank=True)
    teams = models.ManyToManyField("tickets.Team", blank=True, verbose_name=_("teams"))
    first_response_minutes = models.PositiveIntegerField(_("first response target (minutes)"),
                                                         null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(_("next response target (minutes)"),
                                                        null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(_("resolution target (minutes)"),
                                                     null=True, blank=True)
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT,
                                 related_name="policies", verbose_name=_("calendar"))
    pause_on_hold = models.BooleanField(_("pause while on hold"), default=False)
    warn_at_percent = models.PositiveSmallIntegerField(_("warn at % of target used"), default=75)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class TicketSLA(models.Model):
    """The SLA clocks of one ticket: due times, stored business/calendar seconds, flags.

    One row per ticket, created when a policy applies. Queues and metrics read the
    stored numbers; nothing is recomputed on read.
    """

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE,
                                  primary_key=True, related_name="sla")
    policy = models.ForeignKey(SLAPolicy, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    first_response_breached = models.BooleanField(default=False)
    next_response_breached = models.BooleanField(default=False)
    resolution_breached = models.BooleanField(default=False)
    first_response_business_seconds = models.PositiveBigIntegerField(null=True, blank=True)
    first_response_calendar_seconds = models.PositiveBigIntegerField(null=True, blank=True)
    resolution_business_seconds = models.PositiveBigIntegerField(null=True, blank=True)
    resolution_calendar_seconds = models.PositiveBigIntegerField(null=True, blank=True)
    # Pause bookkeeping: business seconds spent paused, and since when paused.
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_business_seconds = models.PositiveBigIntegerField(default=0)
    # When warn_at_percent of each target is used up: check_sla finds at-risk
    # clocks with a plain comparison instead of business-time arithmetic per row.
    first_response_warn_at = models.DateTimeField(null=True, blank=True)
    next_response_warn_at = models.DateTimeField(null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True)
    # The current next-response cycle's breach (reset by each new customer message);
    # next_response_breached stays true once any cycle was late.
    next_response_breached_at = models.DateTimeField(null=True, blank=True)
    first_response_warned_at = models.DateTimeField(null=True, blank=True)
    next_response_warned_at = models.DateTimeField(null=True, blank=True)
    resolution_warned_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ticket SLA")
        verbose_name_plural = _("ticket SLAs")
        indexes = [
            models.Index(fields=["first_response_due_at"], name="sla_first_due_idx"),
            models.Index(fields=["next_response_due_at"], name="sla_next_due_idx"),
            models.Index(fields=["resolution_due_at"], name="sla_resolution_due_idx"),
            # The queue's "SLA at risk" count: the clocks of unresolved tickets, whose
            # resolution clock runs (resolution_calendar_seconds is stored when the ticket
            # is solved, cleared when it reopens), with what the condition reads, so the
            # count is an index-only scan of these rows (docs/performance.md).
            models.Index(fields=["ticket"], name="sla_running_idx",
                         include=["first_response_breached", "resolution_breached",
                                  "first_response_due_at", "next_response_due_at",
                                  "resolution_due_at"],
                         condition=models.Q(resolution_calendar_seconds__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"SLA of ticket {self.ticket_id}"

