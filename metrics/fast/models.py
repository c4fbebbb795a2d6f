"""The tables that make the figures fast (docs/metrics.md, "Where the code is"): daily
rollups, their marginal sums, the timed tickets behind the percentiles with their value
buckets and running totals, and the state of the refresh. They hold no meaning of their own:
every column is a count or a band of metrics/definitions.py, filled by refresh.py.
Models of the ``metrics`` app (same tables, same migrations), re-exported by metrics/models.py.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..definitions import GOOD, SCORE_COUNTS, TICKET_COUNTS

# Daily rollups (PERFORMANCE.md). Dimension columns are plain values, not foreign keys:
# a rollup is a cache recomputed from tickets and surveys, so deleting an agent or a team
# must neither cascade into it nor be blocked by it.
SCORE_VALUES = range(11)  # every canonical scale (NPS 0-10, CSAT 1-5, CES 1-7) fits in 0..10


def _ticket_columns() -> dict[tuple[str, str], str]:
    """(row part, the count's name in it) → its column of TicketCounts. One column per
    TicketCount of metrics/definitions.py, after the SLA clocks' and before the invitations'."""
    return {("tickets", "anchored"): "anchored", ("created", "created"): "created",
            ("first", "timed_n"): "first_timed", ("first", "with_target"): "first_with_target",
            ("first", "met"): "first_met", ("solved", "solved"): "solved",
            ("solved", "timed_n"): "solved_timed", ("solved", "with_target"): "solved_with_target",
            ("solved", "met"): "solved_met",
            **{(c.anchor, c.name): c.name for c in TICKET_COUNTS},
            ("invites", "delivered"): "invitations_delivered",
            ("invites", "answered"): "invitations_answered"}


def _score_columns() -> dict[str, dict[str, str]]:
    """{metric: {count or sum name in a score row: its column of ScoreHistogram}}: a band of
    definitions.GOOD in ``good``, of definitions.BAD in ``bad``."""
    columns: dict[str, dict[str, str]] = {}
    for key, band in SCORE_COUNTS.items():
        metric, name = key.split("_", 1)
        columns.setdefault(metric, {})[name] = "good" if GOOD.get(band.metric) == band else "bad"
    for metric in ("csat", "ces"):
        columns[metric] |= {"sum": "score_sum", "sumsq": "score_sumsq"}
    return columns


TICKET_COLUMNS = _ticket_columns()
SCORE_COLUMNS = _score_columns()


class TicketCounts(models.Model):
    """Ticket figures of one local day (settings.TIME_ZONE). Each count is anchored on its
    own timestamp: created on created_at, first_* on first_response_at, solved* on solved_at,
    invitations_* on the invitation's sent_at. Spam and merged tickets are left out of the
    ticket counts (not of invitations), exactly like the live queries."""

    day = models.DateField()
    channel = models.CharField(max_length=16)
    agent_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    # Ticket rows behind the counts (an anchor of a non-spam ticket in the day), so a group
    # the live scan would list with all-zero figures is listed here too.
    anchored = models.IntegerField(default=0)
    created = models.IntegerField(default=0)
    first_timed = models.IntegerField(default=0)
    first_with_target = models.IntegerField(default=0)
    first_met = models.IntegerField(default=0)
    solved = models.IntegerField(default=0)
    solved_timed = models.IntegerField(default=0)
    solved_with_target = models.IntegerField(default=0)
    solved_met = models.IntegerField(default=0)
    # One column per TicketCount of metrics/definitions.py (added below the class).
    invitations_delivered = models.IntegerField(default=0)
    invitations_answered = models.IntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.channel} {self.agent_id} {self.team_id}"


for _count in TICKET_COUNTS:  # before the concrete tables below copy the abstract fields
    TicketCounts.add_to_class(_count.name, models.IntegerField(default=0))


class DailyTicketStats(TicketCounts):
    """Per channel, assignee, team, priority and organization tier: answers every filter."""

    priority = models.CharField(max_length=16)
    organization_tier = models.CharField(max_length=16, null=True)

    class Meta:
        verbose_name = _("daily ticket figures")
        verbose_name_plural = _("daily ticket figures")
        # The day range, or a tier or priority filter's part of it (the totals and the
        # marginals answer the other filters).
        indexes = [models.Index(fields=["day"], name="rollup_ticket_day_idx"),
                   models.Index(fields=["priority", "day"], name="rollup_ticket_priority_idx"),
                   models.Index(fields=["organization_tier", "day"], name="rollup_ticket_tier_idx")]


class DailyTicketTotals(TicketCounts):
    """The same summed over priority and tier: ~9x fewer rows, for requests that filter on
    neither (the default dashboard)."""

    class Meta:
        verbose_name = _("daily ticket totals")
        verbose_name_plural = _("daily ticket totals")
        indexes = [models.Index(fields=["day"], name="rollup_ticket_total_day_idx")]


class Marginal(models.IntegerChoices):
    """Which single grouping a marginal rollup row sums over (the other group columns are
    empty): everything, one channel, one agent (or none) or one team (or none)."""

    ALL = 0, _("everything")
    CHANNEL = 1, _("channel")
    AGENT = 2, _("agent")
    TEAM = 3, _("team")


class MarginalFilter(models.IntegerChoices):
    """The one filter a marginal rollup row is already restricted to (``filter_value``)."""

    NONE = 0, _("none")
    TIER = 1, _("organization tier")
    PRIORITY = 2, _("priority")


class MarginalKey(models.Model):
    """Which grouping a marginal rollup row sums over, within which one filter."""

    dimension = models.SmallIntegerField(choices=Marginal.choices)
    filtered_by = models.SmallIntegerField(choices=MarginalFilter.choices, default=MarginalFilter.NONE)
    filter_value = models.CharField(max_length=16, blank=True)

    class Meta:
        abstract = True


class DailyTicketMarginals(TicketCounts, MarginalKey):
    """The figures summed per day for each grouping alone, for no filter or for one
    organization tier or priority: ~5x fewer rows than the tables they are summed from, so
    such a dashboard reads each grouping from its own rows."""

    class Meta:
        verbose_name = _("daily ticket marginals")
        verbose_name_plural = _("daily ticket marginals")
        indexes = [models.Index(fields=["filtered_by", "filter_value", "dimension", "day"],
                                name="rollup_ticket_marg_idx")]


class ScoreHistogram(models.Model):
    """Survey responses of one local day (by the response's created_at) per metric, scale and
    the response's own stored channel, agent and team, as a histogram: ``score_<v>`` counts
    the responses that scored v, so NPS, CSAT %, means, CES easy % and variances all follow
    exactly. Only responses on the metric's current scale are kept."""

    day = models.DateField()
    metric = models.CharField(max_length=8)
    scale_min = models.SmallIntegerField()
    scale_max = models.SmallIntegerField()
    channel = models.CharField(max_length=16)
    agent_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    n = models.IntegerField(default=0)
    score_0 = models.IntegerField(default=0)
    score_1 = models.IntegerField(default=0)
    score_2 = models.IntegerField(default=0)
    score_3 = models.IntegerField(default=0)
    score_4 = models.IntegerField(default=0)
    score_5 = models.IntegerField(default=0)
    score_6 = models.IntegerField(default=0)
    score_7 = models.IntegerField(default=0)
    score_8 = models.IntegerField(default=0)
    score_9 = models.IntegerField(default=0)
    score_10 = models.IntegerField(default=0)
    # Sums of the histogram kept as plain columns at refresh time, so a reader SUMs columns
    # instead of evaluating histogram arithmetic per row: ``good`` is promoters (NPS 9-10),
    # satisfied (CSAT 4-5) or easy (CES 5-7); ``bad`` detractors (NPS 0-6, else 0);
    # ``score_sum`` and ``score_sumsq`` the sum of the scores and of their squares.
    good = models.IntegerField(db_default=0)
    bad = models.IntegerField(db_default=0)
    score_sum = models.BigIntegerField(db_default=0)
    score_sumsq = models.BigIntegerField(db_default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.metric} {self.channel} {self.agent_id} {self.team_id}"


class DailyScoreStats(ScoreHistogram):
    """Per metric, channel, agent, team, organization tier and the priority of the answered
    ticket as of the refresh of the response's day (none when the response has no ticket)."""

    organization_tier = models.CharField(max_length=16)
    priority = models.CharField(max_length=16, null=True)

    class Meta:
        verbose_name = _("daily survey scores")
        verbose_name_plural = _("daily survey scores")
        indexes = [models.Index(fields=["day"], name="rollup_score_day_idx"),
                   models.Index(fields=["priority", "day"], name="rollup_score_priority_idx"),
                   models.Index(fields=["organization_tier", "day"], name="rollup_score_tier_idx")]


class DailyScoreTotals(ScoreHistogram):
    """The same summed over organization tiers."""

    class Meta:
        verbose_name = _("daily survey score totals")
        verbose_name_plural = _("daily survey score totals")
        indexes = [models.Index(fields=["day"], name="rollup_score_total_day_idx")]


class DailyScoreMarginals(ScoreHistogram, MarginalKey):
    """The score totals summed per day for each grouping alone (see DailyTicketMarginals)."""

    class Meta:
        verbose_name = _("daily survey score marginals")
        verbose_name_plural = _("daily survey score marginals")
        indexes = [models.Index(fields=["filtered_by", "filter_value", "dimension", "day"],
                                name="rollup_score_marg_idx")]


class TimedTicket(models.Model):
    """The input of the median/p90 business seconds: one row per timed ticket and clock
    (first response, resolution), by the local day of its anchor (first_response_at,
    solved_at), with the ticket's filter columns. Narrow and covered by one index, so a
    percentile reads an index-only range instead of joining tickets to their SLA rows."""

    FIRST, RESOLUTION = 1, 2

    kind = models.SmallIntegerField()
    day = models.DateField()
    seconds = models.BigIntegerField()
    # The value bucket of ``seconds`` (TimedBounds of the kind; 0 where none are set):
    # the percentile search finds a rank's bucket from TimedCumulative, then reads only
    # that bucket's rows (metrics/fast/cumulative.py).
    bucket = models.IntegerField(db_default=0)
    channel = models.CharField(max_length=16)
    agent_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    priority = models.CharField(max_length=16)
    organization_tier = models.CharField(max_length=16, null=True)

    class Meta:
        verbose_name = _("timed ticket")
        verbose_name_plural = _("timed tickets")
        # All key columns (not INCLUDE, which SQLite lacks): (kind, day) lead the range,
        # the rest make the percentile scans index-only.
        indexes = [models.Index(fields=["kind", "day", "seconds", "channel", "agent_id", "team_id"],
                                name="rollup_timed_cover_idx"),
                   # One bucket's rows of a period in order: the second step of a percentile.
                   models.Index(fields=["kind", "bucket", "day", "seconds", "channel", "agent_id",
                                        "team_id", "priority", "organization_tier"],
                                name="rollup_timed_bucket_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.seconds}"


class TimedBounds(models.Model):
    """The lower bounds of TimedTicket's value buckets for one clock, chosen from the data so
    that each bucket holds about the same number of rows and a frequent value (say exactly
    one business day) a bucket of its own. A row's bucket is the number of bounds <= its
    seconds (PostgreSQL's width_bucket), so buckets follow the order of the values; the
    bounds change only when every row is re-bucketed (``refresh_metrics --all``)."""

    kind = models.SmallIntegerField(unique=True)
    lower_bounds = models.JSONField(default=list)

    class Meta:
        verbose_name = _("percentile buckets")
        verbose_name_plural = _("percentile buckets")

    def __str__(self) -> str:
        return f"{self.kind}: {len(self.lower_bounds)} bounds"


class TimedCumulative(models.Model):
    """Running totals behind exact percentiles: for one clock and one group (everything, a
    channel, an agent or a team), how many TimedTicket rows up to and including ``day`` fall
    in each value bucket, as little-endian 32-bit counts. Stored on the days the group has
    rows; the totals of a period are the latest array at its last day minus the latest one
    before its first day, two reads whatever the length of the period."""

    class Group(models.IntegerChoices):
        ALL = 0, _("everything")
        CHANNEL = 1, _("channel")
        AGENT = 2, _("agent")
        TEAM = 3, _("team")
        # Pairs, so that a dashboard filtered on one of them breaks down by the others;
        # the key is "<first>|<second>" in the order of the name.
        CHANNEL_AGENT = 4, _("channel and agent")
        CHANNEL_TEAM = 5, _("channel and team")
        AGENT_TEAM = 6, _("agent and team")
        # Organization tier and priority filter but never break a dashboard down.
        TIER = 7, _("organization tier")
        PRIORITY = 8, _("priority")
        TIER_CHANNEL = 9, _("organization tier and channel")
        TIER_AGENT = 10, _("organization tier and agent")
        TIER_TEAM = 11, _("organization tier and team")
        PRIORITY_CHANNEL = 12, _("priority and channel")
        PRIORITY_AGENT = 13, _("priority and agent")
        PRIORITY_TEAM = 14, _("priority and team")

    ALL, CHANNEL, AGENT, TEAM = Group.ALL, Group.CHANNEL, Group.AGENT, Group.TEAM
    # Which dimensions each group is made of, in the order of its key's parts.
    PARTS = {Group.CHANNEL: ("channel",), Group.AGENT: ("agent",), Group.TEAM: ("team",),
             Group.TIER: ("tier",), Group.PRIORITY: ("priority",),
             Group.CHANNEL_AGENT: ("channel", "agent"), Group.CHANNEL_TEAM: ("channel", "team"),
             Group.AGENT_TEAM: ("agent", "team"), Group.TIER_CHANNEL: ("tier", "channel"),
             Group.TIER_AGENT: ("tier", "agent"), Group.TIER_TEAM: ("tier", "team"),
             Group.PRIORITY_CHANNEL: ("priority", "channel"),
             Group.PRIORITY_AGENT: ("priority", "agent"), Group.PRIORITY_TEAM: ("priority", "team")}

    kind = models.SmallIntegerField()
    dimension = models.SmallIntegerField(choices=Group.choices)
    key = models.CharField(max_length=64, blank=True)  # channel or id ("" = none), "|" between
    day = models.DateField()
    counts = models.BinaryField()

    class Meta:
        verbose_name = _("percentile running totals")
        verbose_name_plural = _("percentile running totals")
        constraints = [models.UniqueConstraint(fields=["kind", "dimension", "key", "day"],
                                               name="rollup_cumulative_unique")]

    def __str__(self) -> str:
        return f"{self.kind} {self.dimension}:{self.key} {self.day}"


class RollupState(models.Model):
    """One row: which days the rollups hold and when they were last refreshed. Readers use
    the rollups only for periods inside [covered_from, covered_until]."""

    covered_from = models.DateField(null=True)
    covered_until = models.DateField(null=True)
    refreshed_at = models.DateTimeField(null=True)
    # Whether every TimedTicket row is bucketed by the current TimedBounds and the running
    # totals are complete (PostgreSQL only); until then percentiles use percentile_cont.
    buckets_ready = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup state")

    def __str__(self) -> str:
        return f"{self.covered_from}..{self.covered_until} @ {self.refreshed_at}"
