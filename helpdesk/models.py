"""Project-wide models: the staff user and the outbox of emails to send."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("role", User.Role.ADMIN)
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of the support staff: agent, manager, admin, or analyst (figures only,
    no ticket content; docs/roles.md).

    Customers are not users; they are tickets.Customer rows and sign in to the
    portal with a magic link.
    """

    class Role(models.TextChoices):
        AGENT = "agent", _("Agent")
        MANAGER = "manager", _("Manager")
        ADMIN = "admin", _("Admin")
        ANALYST = "analyst", _("Analyst")

    class Availability(models.TextChoices):
        """Only available agents receive tickets automatically (docs/routing.md)."""

        AVAILABLE = "available", _("Available")
        AWAY = "away", _("Away")
        OFFLINE = "offline", _("Offline")

    email = models.EmailField(_("email"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.AGENT)
    language = models.CharField(_("language"), max_length=8, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("can use the admin site"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    availability = models.CharField(_("availability"), max_length=16, choices=Availability,
                                    default=Availability.AVAILABLE)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True,
        help_text=_("Most open tickets assigned automatically; empty for no limit."))
    # Ends the agent's public replies (docs/replies.md); placeholders allowed.
    signature = models.TextField(_("signature"), blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return (self.name or self.email).split(" ")[0]

    @property
    def sees_all_tickets(self) -> bool:
        """Managers and admins see every team's tickets; agents only their teams'."""
        return self.is_superuser or self.role in (self.Role.MANAGER, self.Role.ADMIN)

    @property
    def is_analyst(self) -> bool:
        """Read-only: dashboards and exports of figures, never a ticket (docs/roles.md)."""
        return self.role == self.Role.ANALYST and not self.is_superuser

    @property
    def sees_all_figures(self) -> bool:
        """Every team's and agent's figures: managers, admins and analysts."""
        return self.sees_all_tickets or self.is_analyst


class OutboundEmail(models.Model):
    """One email to send, written in the same transaction as the change that caused it.

    A Celery task sends it; a periodic sweeper picks up rows whose task never ran
    (broker down). The sender claims a row by conditional update on ``claimed_at``
    so that two workers never send the same row twice.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    class Delivery(models.TextChoices):
        UNKNOWN = "", _("Unknown")
        DELIVERED = "delivered", _("Delivered")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Complained")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    to = models.CharField(_("to"), max_length=320)
    from_email = models.CharField(_("from"), max_length=320, blank=True)
    reply_to = models.CharField(_("reply-to"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=998)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    # Loose references, not foreign keys: the project package knows nothing of the apps.
    ticket_id = models.BigIntegerField(_("ticket id"), null=True, blank=True, db_index=True)
    related_key = models.CharField(_("related object"), max_length=80, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    esp_message_id = models.CharField(_("ESP message id"), max_length=255, blank=True, db_index=True)
    delivery = models.CharField(
        _("delivery"), max_length=16, choices=Delivery, default=Delivery.UNKNOWN, blank=True
    )
    delivery_at = models.DateTimeField(_("delivery updated at"), null=True, blank=True)
    # Copies and files (docs/replies.md). Attachments are files in the default storage,
    # ``[{"path", "filename", "content_type", "content_id"}]``: the outbox knows no app's models.
    cc = models.JSONField(_("CC"), default=list, blank=True)
    bcc = models.JSONField(_("BCC"), default=list, blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        indexes = [
            # The sweeper's query: unsent rows, oldest first.
            models.Index(
                fields=["status", "created_at"],
                name="outbox_unsent_idx",
                condition=models.Q(status__in=["queued", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to}: {self.subject}"


class ThrottleBucket(models.Model):
    """Recent hits of one rate-limited action by one caller (an address, an IP), kept in
    the database so a limit holds across web processes and without Redis. ``hits`` holds
    the Unix times of the allowed hits inside the window, at most the limit's number."""

    scope = models.CharField(_("scope"), max_length=64)
    key_digest = models.CharField(_("key digest"), max_length=64)
    hits = models.JSONField(_("hits"), default=list)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("rate-limit bucket")
        verbose_name_plural = _("rate-limit buckets")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key_digest"], name="throttle_bucket_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}: {len(self.hits)}"


class UsedToken(models.Model):
    """A single-use link that has been used. The unique digest makes "use it once" one
    INSERT that only one request can win, whichever process it runs in."""

    purpose = models.CharField(_("purpose"), max_length=40)
    digest = models.CharField(_("digest"), max_length=64)
    used_at = models.DateTimeField(_("used at"), default=timezone.now)
    # After this the link's own signature has expired, so the row can go.
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("used link")
        verbose_name_plural = _("used links")
        constraints = [
            models.UniqueConstraint(fields=["purpose", "digest"], name="used_token_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.digest[:12]}"
