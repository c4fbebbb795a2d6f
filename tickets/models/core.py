"""The ticket domain: who writes in, who answers, and the conversation between them."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _


def choice_label(choices: type[models.Choices], value) -> str:
    """The label of one stored value, for the get_FOO_display methods of the hot pages.

    Django's generated get_FOO_display rebuilds a dict of every choice on each call,
    hashing (so translating) every lazy label: 75 calls made about 650 translations of
    each queue page (docs/performance.md). An enum lookup translates only the one label."""
    try:
        return str(choices(value).label)
    except ValueError:  # a value no longer among the choices shows as stored, like Django's
        return value


#: What erasure writes over a subject or text it empties (tickets/privacy.py); pages
#: show it translated (``Ticket.shown_subject``).
ERASED = gettext_noop("[erased]")

class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    WEB = "web", _("Web form")
    CHAT = "chat", _("Chat")
    PHONE = "phone", _("Phone")
    API = "api", _("API")
    SOCIAL = "social", _("Social")


class Organization(models.Model):
    class Tier(models.TextChoices):
        FREE = "free", _("Free")
        STANDARD = "standard", _("Standard")
        PREMIUM = "premium", _("Premium")
        ENTERPRISE = "enterprise", _("Enterprise")

    name = models.CharField(_("name"), max_length=200, unique=True)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier, default=Tier.STANDARD)
    active_since = models.DateField(_("customer since"), null=True, blank=True)
    churned_at = models.DateField(_("churned on"), null=True, blank=True)
    annual_revenue = models.DecimalField(
        _("annual revenue"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganizationDomain(models.Model):
    """An email domain whose senders belong to the organization (intake looks it up)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="domains", verbose_name=_("organization")
    )
    domain = models.CharField(_("domain"), max_length=253, unique=True)

    class Meta:
        verbose_name = _("email domain")
        verbose_name_plural = _("email domains")

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower()
        super().save(*args, **kwargs)


class Customer(models.Model):
    # Blank for a caller known only by phone (docs/agent-pages.md); unique when given.
    email = models.EmailField(_("email"), max_length=320, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("organization"),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # IANA name (Europe/Helsinki); blank = the installation's TIME_ZONE. Shown as the
    # customer's local time and used to send relationship surveys in their morning.
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    survey_opt_out = models.BooleanField(_("opted out of surveys"), default=False)
    bounced = models.BooleanField(_("email bounces"), default=False)
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Set when the person's data was erased (tickets/privacy.py); the row stays for metrics.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            # Email addresses are matched case-insensitively: Foo@x.fi and foo@x.fi are one person.
            models.UniqueConstraint(Lower("email"), name="customer_email_ci_unique",
                                    condition=~models.Q(email="")),
        ]
        indexes = [
            # A phone ticket finds its caller by number (services.customers).
            models.Index(fields=["phone"], name="customer_phone_idx",
                         condition=~models.Q(phone="")),
            # Every email the intake reads finds its sender with ``email__iexact``, which
            # PostgreSQL compares as UPPER(email) = UPPER(%s): the unique index on
            # LOWER(email) cannot answer it, so each mail scanned every customer.
            models.Index(Upper("email"), name="customer_email_upper_idx"),
        ]

    def __str__(self) -> str:
        contact = self.email or self.phone
        return f"{self.name} <{contact}>" if self.name else contact

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0] or self.phone


class Team(models.Model):
    class Assignment(models.TextChoices):
        """How new tickets of the team find an agent (docs/routing.md)."""

        MANUAL = "manual", _("Manual")
        ROUND_ROBIN = "round_robin", _("Round robin")
        LEAST_BUSY = "least_busy", _("Least busy")

    name = models.CharField(_("name"), max_length=100, unique=True)
    email = models.EmailField(_("team address"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="TeamMembership",
        related_name="teams",
        verbose_name=_("members"),
    )
    assignment = models.CharField(_("assignment"), max_length=16, choices=Assignment,
                                  default=Assignment.MANUAL)
    # Ends the team's public replies when the agent has no signature of their own
    # (docs/replies.md; placeholders as in canned responses).
    signature = models.TextField(_("signature"), blank=True)
    # Round robin: the agent who got the team's last automatic assignment; the next
    # one goes to the member after them.
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("last assigned agent"),
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    is_lead = models.BooleanField(_("team lead"), default=False)

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="team_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class Tag(models.Model):
    name = models.SlugField(_("name"), max_length=50, unique=True, allow_unicode=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Priority and status sort by their meaning, not the alphabet: low to urgent, and the
# lifecycle order. One rank expression per field serves the queue, the API and the
# expression indexes of Ticket.Meta; PostgreSQL uses such an index only for the very
# same expression (docs/performance.md). The orders repeat Ticket.Priority and
# Ticket.Status, which Meta cannot reach (a test checks they agree).
PRIORITY_ORDER = ("low", "normal", "high", "urgent")
STATUS_ORDER = ("new", "open", "pending", "on_hold", "solved", "closed")


def _rank(field: str, order: tuple[str, ...]) -> models.Case:
    return models.Case(*[models.When(**{field: value}, then=models.Value(i))
                         for i, value in enumerate(order)],
                       default=models.Value(len(order)), output_field=models.IntegerField())


PRIORITY_RANK = _rank("priority", PRIORITY_ORDER)
STATUS_RANK = _rank("status", STATUS_ORDER)


class Ticket(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        PENDING = "pending", _("Pending")
        ON_HOLD = "on_hold", _("On hold")
        SOLVED = "solved", _("Solved")
        CLOSED = "closed", _("Closed")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    # The lifecycle of docs/architecture.md, in one place. Closed is final: a customer
    # writing to a closed ticket starts a new, linked ticket instead.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED}),
        Status.OPEN: frozenset({Status.PENDING, Status.ON_HOLD, Status.SOLVED}),
        Status.PENDING: frozenset({Status.OPEN, Status.ON_HOLD, Status.SOLVED}),
        Status.ON_HOLD: frozenset({Status.OPEN, Status.PENDING, Status.SOLVED}),
        Status.SOLVED: frozenset({Status.OPEN, Status.CLOSED}),
        Status.CLOSED: frozenset(),
    }
    UNRESOLVED = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)

    subject = models.CharField(_("subject"), max_length=255)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.NEW)
    priority = models.CharField(
        _("priority"), max_length=16, choices=Priority, default=Priority.NORMAL
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel, default=Channel.EMAIL)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("customer")
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("team"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets", verbose_name=_("tags"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveIntegerField(_("times reopened"), default=0)
    # Counted here so first contact resolution needs no join to messages.
    public_reply_count = models.PositiveIntegerField(_("public agent replies"), default=0)
    # When the customer's latest unanswered message arrived (null when answered):
    # "how long the customer has been waiting" in the queue.
    waiting_since = models.DateTimeField(_("customer waiting since"), null=True, blank=True)
    is_spam = models.BooleanField(_("spam"), default=False)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_tickets",
        verbose_name=_("merged into"),
    )
    follows_up = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up_tickets",
        verbose_name=_("follow-up of"),
        help_text=_("The closed ticket this one continues."),
    )
    # -- Replies (docs/replies.md): the CC and BCC addresses every public reply keeps
    # until an agent removes them.
    cc = models.JSONField(_("CC"), default=list, blank=True)
    bcc = models.JSONField(_("BCC"), default=list, blank=True)
    # PostgreSQL full-text document (subject, customer, messages); unused on SQLite.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)
    # Retention or a customer's erasure removed what was written (tickets/privacy.py).
    contents_erased_at = models.DateTimeField(_("contents erased at"), null=True, blank=True,
                                              editable=False)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # Queues: a status (or set of them) newest first, optionally per team/assignee.
            models.Index(fields=["status", "-created_at"], name="ticket_status_created_idx"),
            models.Index(fields=["team", "status", "-created_at"], name="ticket_team_status_idx"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status_idx"),
            models.Index(fields=["-created_at"], name="ticket_created_idx"),
            models.Index(fields=["-updated_at"], name="ticket_updated_idx"),
            models.Index(fields=["channel", "-created_at"], name="ticket_channel_created_idx"),
            models.Index(fields=["priority", "-created_at"], name="ticket_priority_created_idx"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer_created_idx"),
            # Metrics over solved tickets in a period; the auto-close sweep.
            models.Index(fields=["solved_at"], name="ticket_solved_idx"),
            # Metrics: tickets whose first response falls in a period (was a seq scan).
            models.Index(fields=["first_response_at"], name="ticket_first_response_idx"),
            # The metrics backlog ("unresolved now") filtered on organization tier: reached
            # through the tier's customers (350 → 15 ms on 1M tickets, PERFORMANCE.md).
            # The statuses are Ticket.UNRESOLVED (not reachable from Meta; a test checks).
            models.Index(fields=["customer"],
                         condition=models.Q(status__in=["new", "open", "pending", "on_hold"]),
                         name="ticket_unresolved_customer_idx"),
            # The sidebar's queue counts (tickets/views/queues.py), each an index-only
            # scan of the few tickets it counts, also for an agent's teams: open ones
            # (mine, unassigned, all open, pending, SLA) and recently solved ones.
            # Statuses as above: Ticket.UNRESOLVED, and solved or closed.
            models.Index(fields=["status", "team", "assignee"], include=["id", "first_response_at"],
                         condition=models.Q(status__in=["new", "open", "pending", "on_hold"]),
                         name="ticket_unresolved_queue_idx"),
            # The same tickets in id order, with what the SLA queue's count reads: that
            # count merges them with the SLA clocks' sla_running_idx (also in ticket
            # order) instead of hashing every unresolved ticket on each queue page.
            models.Index(fields=["id"], include=["team", "assignee", "first_response_at"],
                         condition=models.Q(status__in=["new", "open", "pending", "on_hold"]),
                         name="ticket_unresolved_id_idx"),
            # An agent's default list, "my open tickets", newest change first: the first
            # page read along this index instead of sorting every open ticket of the
            # agent's teams (21 ms → 2 ms at 1 M tickets, docs/performance.md).
            models.Index(fields=["assignee", "updated_at", "id"],
                         condition=models.Q(status__in=["new", "open", "pending", "on_hold"]),
                         name="ticket_unresolved_mine_idx"),
            # "Assigned to nobody" in the same order: PostgreSQL does not take
            # "assignee IS NULL" as fixing the first column of the index above, so it
            # would fetch and sort every unassigned open ticket (30–70 ms at 1 M).
            models.Index(fields=["updated_at", "id"],
                         condition=models.Q(status__in=["new", "open", "pending", "on_hold"],
                                            assignee__isnull=True),
                         name="ticket_unassigned_idx"),
            models.Index(fields=["solved_at", "team", "assignee"],
                         condition=models.Q(status__in=["solved", "closed"]),
                         name="ticket_solved_queue_idx"),
            # The whole list sorted by priority or status, a page at a time: read along
            # the rank (either direction) instead of sorting a million rows.
            models.Index(PRIORITY_RANK, "id", name="ticket_priority_rank_idx"),
            models.Index(STATUS_RANK, "id", name="ticket_status_rank_idx"),
            # Retention: closed tickets whose contents are still kept, oldest first.
            models.Index(fields=["closed_at"], name="ticket_retention_idx",
                         condition=models.Q(status="closed", contents_erased_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("tickets:detail", args=[self.pk])

    def get_status_display(self) -> str:
        return choice_label(self.Status, self.status)

    def get_priority_display(self) -> str:
        return choice_label(self.Priority, self.priority)

    def get_channel_display(self) -> str:
        return choice_label(Channel, self.channel)

    @property
    def shown_subject(self) -> str:
        """The subject as pages show it: erasure's marker (``ERASED``, stored the same in
        every language, as the API gives it) in the reader's language."""
        return gettext(ERASED) if self.subject == ERASED else self.subject

    @property
    def reference(self) -> str:
        return f"{settings.HELPDESK_TICKET_PREFIX}-{self.pk}"

    @classmethod
    def parse_reference(cls, text: str) -> int | None:
        """The ticket id in 'HD-1042' (any case), or None."""
        prefix = f"{settings.HELPDESK_TICKET_PREFIX}-".lower()
        text = text.strip().lower()
        if text.startswith(prefix) and text[len(prefix) :].isdigit():
            return int(text[len(prefix) :])
        return None

    @property
    def is_open(self) -> bool:
        return self.status in self.UNRESOLVED

    def can_transition(self, new_status: str) -> bool:
        return new_status in self.TRANSITIONS[self.status]

    def transition(self, new_status: str, *, now: datetime) -> None:
        """Move to ``new_status``, keeping the timestamps consistent; refuse illegal moves."""
        if new_status == self.status:
            return
        if not self.can_transition(new_status):
            raise ValidationError(
                {"status": _("A ticket cannot go from %(old)s to %(new)s.")
                 % {"old": self.get_status_display(), "new": Ticket.Status(new_status).label}},
                code="invalid_transition",
            )
        if self.status == self.Status.SOLVED and new_status == self.Status.OPEN:
            self.reopen_count += 1
            self.solved_at = None
        if new_status == self.Status.SOLVED:
            self.solved_at = now
        if new_status == self.Status.CLOSED:
            self.closed_at = now
        self.status = new_status


class Message(models.Model):
    """One entry of a ticket's thread: a customer message, a public reply or an internal note."""

    class Author(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        AGENT = "agent", _("Agent")
        SYSTEM = "system", _("System")
        # Someone outside the ticket answering a side conversation (docs/replies.md).
        EXTERNAL = "external", _("Outside party")

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages", verbose_name=_("ticket")
    )
    author_type = models.CharField(_("author type"), max_length=16, choices=Author)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("agent"),
    )
    author_customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("customer"),
    )
    public = models.BooleanField(
        _("public"), default=True, help_text=_("Internal notes are never shown to customers.")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel, default=Channel.EMAIL)
    body_text = models.TextField(_("text"), blank=True)
    body_html = models.TextField(_("HTML (sanitized)"), blank=True)
    # The quoted history and signature split off the new text of an email.
    quoted_text = models.TextField(_("quoted text"), blank=True)
    is_automatic = models.BooleanField(
        _("automatic"), default=False, help_text=_("Auto-replies and out-of-office messages.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Email threading headers.
    email_message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=998, blank=True)
    references = models.TextField(_("References"), blank=True)
    # -- Replies (docs/replies.md): who else got it, who wrote it when that is no
    # customer or agent of ours (a forward's recipient), and the side conversation.
    cc = models.JSONField(_("CC"), default=list, blank=True)
    bcc = models.JSONField(_("BCC"), default=list, blank=True)
    sender_name = models.CharField(_("sender name"), max_length=200, blank=True)
    sender_email = models.EmailField(_("sender email"), max_length=320, blank=True)
    side_conversation = models.ForeignKey(
        "tickets.SideConversation", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="messages", verbose_name=_("side conversation"))
    # The body already ends with the agent's or team's signature (the email adds none).
    signed = models.BooleanField(_("signed"), default=False)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="message_ticket_created_idx"),
            # Threading looks replies up by the Message-ID they answer.
            models.Index(
                fields=["email_message_id"],
                name="message_msgid_idx",
                condition=~models.Q(email_message_id=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_author_type_display()} on {self.ticket_id} at {self.created_at:%Y-%m-%d %H:%M}"

    def get_author_type_display(self) -> str:
        return choice_label(self.Author, self.author_type)

    def get_channel_display(self) -> str:
        return choice_label(Channel, self.channel)

    @property
    def author_name(self) -> str:
        if self.sender_email:
            return self.sender_name or self.sender_email
        if self.author_user_id:
            return str(self.author_user)
        if self.author_customer_id:
            return self.author_customer.display_name
        return str(_("System"))


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{timezone.now():%Y/%m}/{instance.message.ticket_id}/{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("message")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=500)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    # Inline images in HTML mail refer to their part by Content-ID.
    content_id = models.CharField(_("Content-ID"), max_length=255, blank=True)
    inline = models.BooleanField(_("inline"), default=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class TicketEvent(models.Model):
    """The audit trail: one row for every change to a ticket."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", verbose_name=_("ticket")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by customer"),
    )
    field = models.CharField(_("what"), max_length=40)
    old_value = models.CharField(_("old value"), max_length=255, blank=True)
    new_value = models.CharField(_("new value"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket_created_idx"),
            # Reopen and status metrics scan events of one field over a period.
            models.Index(fields=["field", "created_at"], name="event_field_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"
