"""Survey programs, invitations sent after a ticket closes, responses, and follow-ups."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    NPS = "nps", _("NPS")
    CES = "ces", _("CES")
    CSAT = "csat", _("CSAT")


# The scale of each metric (docs/metrics.md). A response stores its own scale so a
# later change never mixes into an old trend line.
SCALES = {Metric.NPS: (0, 10), Metric.CES: (1, 7), Metric.CSAT: (1, 5)}

# Closing the loop (docs/metrics.md): detractors get a follow-up. "Promoters" of CSAT and
# CES are the top of their scale; they get the thank-you with a review link.
DETRACTOR_MAX = {Metric.NPS: 6, Metric.CSAT: 2, Metric.CES: 3}
PROMOTER_MIN = {Metric.NPS: 9, Metric.CSAT: 5, Metric.CES: 6}


# What the ends of each scale mean, shown under the score buttons.
SCALE_LABELS = {
    Metric.NPS: (_("Not at all likely"), _("Extremely likely")),
    Metric.CSAT: (_("Very dissatisfied"), _("Very satisfied")),
    Metric.CES: (_("Strongly disagree"), _("Strongly agree")),
}


class Kind(models.TextChoices):
    """Transactional: after a ticket. Relationship: about the whole relationship, asked of
    an organization's contacts in waves (docs/relationship-surveys.md). Never mixed in
    one figure."""

    TRANSACTIONAL = "transactional", _("Transactional")
    RELATIONSHIP = "relationship", _("Relationship")


def is_passive(metric: str, score: int) -> bool:
    return not is_detractor(metric, score) and not is_promoter(metric, score)


def is_detractor(metric: str, score: int) -> bool:
    return score <= DETRACTOR_MAX[metric]


def is_promoter(metric: str, score: int) -> bool:
    return score >= PROMOTER_MIN[metric]


class SurveyProgram(models.Model):
    class Trigger(models.TextChoices):
        SOLVED = "solved", _("When the ticket is solved")
        CLOSED = "closed", _("When the ticket is closed")

    class Audience(models.TextChoices):
        ALL = "all", _("Every contact of every active organization")
        TIER = "tier", _("Contacts of organizations in the chosen tiers")
        LIST = "list", _("A list of contacts (CSV import)")

    class Ask(models.TextChoices):
        REVIEW = "review", _("Review site")
        REFERRAL = "referral", _("Referral")
        CASE_STUDY = "case_study", _("Case study")
        BETA = "beta", _("Beta programme")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.TRANSACTIONAL)
    metric = models.CharField(_("metric"), max_length=8, choices=Metric)
    question_en = models.CharField(_("question (English)"), max_length=300)
    question_fi = models.CharField(_("question (Finnish)"), max_length=300)
    followup_question_en = models.CharField(_("follow-up question (English)"), max_length=300,
                                            blank=True)
    followup_question_fi = models.CharField(_("follow-up question (Finnish)"), max_length=300,
                                            blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    tiers = models.JSONField(_("organization tiers"), default=list, blank=True)
    teams = models.ManyToManyField("tickets.Team", blank=True, verbose_name=_("teams"))
    trigger = models.CharField(_("send"), max_length=8, choices=Trigger, default=Trigger.CLOSED)
    delay_minutes = models.PositiveIntegerField(_("delay (minutes)"), default=60)
    throttle_days = models.PositiveIntegerField(_("throttle window (days)"), default=30)
    reminder_after_hours = models.PositiveIntegerField(_("reminder after (hours)"), null=True,
                                                       blank=True)
    expiry_days = models.PositiveIntegerField(_("answers accepted for (days)"), default=14)
    review_url = models.URLField(_("review link for promoters"), blank=True)
    followup_due_hours = models.PositiveIntegerField(_("follow-up due within (hours)"), default=48)
    # Who gets a detractor's follow-up when the ticket's team has no lead (or no team).
    followup_fallback = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("follow-up owner when the team has no lead"))
    # Passives (NPS 7–8 …) see this question above the comment box instead ("what would
    # make it a 10?"); their answer is the response's comment, so it joins comment themes.
    passive_question_en = models.CharField(_("question for passives (English)"),
                                           max_length=300, blank=True)
    passive_question_fi = models.CharField(_("question for passives (Finnish)"),
                                           max_length=300, blank=True)
    # The one ask of a promoter's thank-you, as a signed tracked link.
    ask_kind = models.CharField(_("promoter ask"), max_length=16, choices=Ask, blank=True)
    ask_url = models.URLField(_("promoter ask link"), blank=True)
    # Relationship programs (kind = relationship).
    audience = models.CharField(_("audience"), max_length=8, choices=Audience,
                                default=Audience.ALL)
    interval_months = models.PositiveIntegerField(_("every (months)"), default=3)
    spread_days = models.PositiveIntegerField(_("spread over (working days)"), default=5)
    position = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("survey program")
        verbose_name_plural = _("survey programs")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def scale(self) -> tuple[int, int]:
        return SCALES[self.metric]

    def question(self, language: str) -> str:
        return (self.question_fi if language == "fi" else "") or self.question_en

    def followup_question(self, language: str) -> str:
        return (self.followup_question_fi if language == "fi" else "") or self.followup_question_en

    def passive_question(self, language: str) -> str:
        return (self.passive_question_fi if language == "fi" else "") or self.passive_question_en

    @property
    def is_relationship(self) -> bool:
        return self.kind == Kind.RELATIONSHIP

    def ask(self) -> tuple[str, str]:
        """(kind, url) of the promoter ask; the review link is the ask of older programs."""
        if self.ask_url:
            return self.ask_kind or self.Ask.REVIEW, self.ask_url
        return (self.Ask.REVIEW, self.review_url) if self.review_url else ("", "")

    def matches(self, *, channel: str, team_id: int | None, tier: str) -> bool:
        """Empty conditions match anything. Reads ``teams`` (prefetch it for many)."""
        team_ids = {team.pk for team in self.teams.all()}
        return ((not self.channels or channel in self.channels)
                and (not self.tiers or tier in self.tiers)
                and (not team_ids or team_id in team_ids))


class Invitation(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENT = "sent", _("Sent")
        ANSWERED = "answered", _("Answered")
        SKIPPED = "skipped", _("Skipped")
        CANCELLED = "cancelled", _("Cancelled")

    class SkipReason(models.TextChoices):
        THROTTLED = "throttled", _("Customer answered a survey recently")
        OPTED_OUT = "opted_out", _("Customer opted out of surveys")
        BOUNCED = "bounced", _("Customer's email bounces")
        SPAM = "spam", _("Ticket is spam")
        MERGED = "merged", _("Ticket was merged")
        NO_PROGRAM = "no_program", _("No active survey program matches")
        NO_EMAIL = "no_email", _("Customer has no email address")
        BUDGET = "budget", _("Customer was asked within the contact window")
        PREEMPTED = "preempted", _("Gave way to the survey of an important ticket")
        CHURNED = "churned", _("Organization has churned")

    program = models.ForeignKey(SurveyProgram, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="invitations")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.TRANSACTIONAL)
    # Empty for relationship invitations, which are about no ticket.
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="survey_invitations")
    # No index of their own: one_invitation_per_wave (wave, customer) and
    # invitation_customer_idx (customer, -sent_at) serve both lookups, and a wave writes
    # 100,000 rows at a time, each paying for every index.
    wave = models.ForeignKey("surveys.RelationshipWave", on_delete=models.CASCADE, null=True,
                             blank=True, related_name="invitations", db_index=False)
    customer = models.ForeignKey("tickets.Customer", on_delete=models.CASCADE,
                                 related_name="survey_invitations", db_index=False)
    metric = models.CharField(_("metric"), max_length=8, choices=Metric, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status,
                              default=Status.SCHEDULED)
    skip_reason = models.CharField(_("skip reason"), max_length=32, choices=SkipReason,
                                   blank=True)
    send_after = models.DateTimeField(_("send after"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    # Set when sent if the program has a reminder; cleared once answered or reminded.
    remind_after = models.DateTimeField(_("remind after"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # At most one live invitation per ticket; a reopen cancels it, the next close
            # may schedule a new one.
            models.UniqueConstraint(fields=["ticket"], name="one_live_invitation_per_ticket",
                                    condition=~models.Q(status="cancelled")),
            # A wave asks each contact once, however often the scheduling command runs.
            models.UniqueConstraint(fields=["wave", "customer"], name="one_invitation_per_wave",
                                    condition=models.Q(wave__isnull=False)),
        ]
        indexes = [
            models.Index(fields=["status", "send_after"], name="invitation_due_idx"),
            models.Index(fields=["sent_at"], name="invitation_sent_idx"),
            models.Index(fields=["customer", "-sent_at"], name="invitation_customer_idx"),
            # The reminder sweep: sent, unanswered invitations whose reminder is due.
            models.Index(fields=["remind_after"], name="invitation_remind_idx",
                         condition=models.Q(remind_after__isnull=False)),
            # The daily cap counts today's reminders too (services/sending.py, sent_today).
            models.Index(fields=["reminded_at"], name="invitation_reminded_idx",
                         condition=models.Q(reminded_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} for ticket {self.ticket_id}"


class Response(models.Model):
    """A customer's answer. Carries the ticket's channel, agent, team and organization as
    they were at survey time, so later reassignments never rewrite history."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, null=True,
                                      blank=True, related_name="response")
    metric = models.CharField(_("metric"), max_length=8, choices=Metric)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.TRANSACTIONAL)
    scale_min = models.SmallIntegerField(_("scale minimum"))
    scale_max = models.SmallIntegerField(_("scale maximum"))
    score = models.SmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="survey_responses")
    wave = models.ForeignKey("surveys.RelationshipWave", on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="responses")
    customer = models.ForeignKey("tickets.Customer", on_delete=models.CASCADE,
                                 related_name="survey_responses")
    channel = models.CharField(_("channel"), max_length=16)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="survey_responses")
    team = models.ForeignKey("tickets.Team", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="survey_responses")
    organization = models.ForeignKey("tickets.Organization", on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="survey_responses")
    organization_tier = models.CharField(_("organization tier"), max_length=16, blank=True)
    created_at = models.DateTimeField(_("answered at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=models.F("scale_min"))
                & models.Q(score__lte=models.F("scale_max")),
                name="response_score_in_scale",
            ),
        ]
        indexes = [
            # Dashboards: one metric over a period, optionally per channel/agent/team.
            models.Index(fields=["metric", "created_at"], name="response_metric_created_idx"),
            # Metrics: the score aggregates of a period as an index-only scan (PostgreSQL).
            # (key columns rather than INCLUDE, which SQLite would warn about).
            models.Index(fields=["created_at", "metric", "scale_min", "scale_max", "score",
                                 "channel", "agent", "team", "organization_tier"],
                         name="response_created_cover_idx"),
            models.Index(fields=["agent", "metric", "created_at"], name="response_agent_idx"),
            models.Index(fields=["team", "metric", "created_at"], name="response_team_idx"),
            models.Index(fields=["channel", "metric", "created_at"], name="response_channel_idx"),
            models.Index(fields=["customer", "-created_at"], name="response_customer_idx"),
            # Relationship NPS per organization / tier / wave.
            models.Index(fields=["kind", "metric", "organization", "created_at"],
                         name="response_kind_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.score} on ticket {self.ticket_id}"


class FollowUp(models.Model):
    """Closing the loop on a detractor: someone calls the customer back."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        CALLED_BACK = "called_back", _("Called back")
        RESOLVED = "resolved", _("Resolved")
        NO_ANSWER = "no_answer", _("No answer")
        DECLINED = "declined", _("Customer declined")
        OTHER = "other", _("Other")

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="follow_up")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="survey_follow_ups")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="survey_follow_ups")
    team = models.ForeignKey("tickets.Team", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="survey_follow_ups")
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.OPEN)
    due_at = models.DateTimeField(_("due"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+")
    # The organization's renewal decision after this follow-up, recorded by a manager
    # (services/renewals.py); the renewal report of docs/insights.md reads it.
    renewal = models.CharField(_("renewal outcome"), max_length=8, blank=True,
                               choices=[("renewed", _("Renewed")), ("churned", _("Churned"))])
    renewal_recorded_at = models.DateTimeField(_("renewal recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(fields=["status", "due_at"], name="followup_status_due_idx"),
            models.Index(fields=["created_at"], name="followup_created_idx"),
            # The follow-ups queue: a team's open follow-ups, soonest due first.
            models.Index(fields=["team", "status", "due_at"], name="followup_team_idx"),
        ]

    def __str__(self) -> str:
        return f"Follow-up of {self.response}"


class ProgramContact(models.Model):
    """A contact of a relationship program whose audience is a list (CSV import)."""

    program = models.ForeignKey(SurveyProgram, on_delete=models.CASCADE, related_name="contacts")
    customer = models.ForeignKey("tickets.Customer", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("program contact")
        verbose_name_plural = _("program contacts")
        constraints = [models.UniqueConstraint(fields=["program", "customer"],
                                               name="one_program_contact")]

    def __str__(self) -> str:
        return f"{self.customer_id} in {self.program_id}"


class RelationshipWave(models.Model):
    """One send of a relationship program: its contacts are invited over working-day
    mornings in their own time zones (docs/relationship-surveys.md)."""

    program = models.ForeignKey(SurveyProgram, on_delete=models.CASCADE, related_name="waves")
    number = models.PositiveIntegerField(_("wave"))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    scheduled = models.PositiveIntegerField(_("scheduled"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("scheduling finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("relationship wave")
        verbose_name_plural = _("relationship waves")
        ordering = ["program", "number"]
        constraints = [models.UniqueConstraint(fields=["program", "number"],
                                               name="one_wave_number_per_program")]

    def __str__(self) -> str:
        return f"{self.program} #{self.number}"


class PromoterAsk(models.Model):
    """The ask in a promoter's thank-you (review, referral, case study, beta), tracked by a
    signed link that redirects through us."""

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="ask")
    kind = models.CharField(_("ask"), max_length=16, choices=SurveyProgram.Ask)
    url = models.URLField(_("link"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    clicked_at = models.DateTimeField(_("first clicked at"), null=True, blank=True)
    clicks = models.PositiveIntegerField(_("clicks"), default=0)

    class Meta:
        verbose_name = _("promoter ask")
        verbose_name_plural = _("promoter asks")
        indexes = [models.Index(fields=["sent_at", "kind"], name="promoter_ask_sent_idx")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.url}"
