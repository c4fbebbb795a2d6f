"""The audit log: who did what security-relevant thing, when and from where (docs/identity.md).

Append-only from the application's point of view: a row is written once by
``audit.services.record`` and never changed or deleted by the application. The model
refuses ``save()`` of an existing row and ``delete()``; its queryset refuses ``update()``
and ``delete()``; the admin is read-only. (A database administrator can still delete rows;
a retention job, if ever wanted, belongs in a migration or SQL, not in the app.)
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """An attempt to change or delete an audit entry."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit entries cannot be deleted")


class Action(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGN_OUT = "sign_out", _("Signed out")
    SSO_FAILED = "sso_failed", _("Single sign-on refused")
    TWO_FACTOR_FAILED = "two_factor_failed", _("Two-factor code refused")
    TWO_FACTOR_ENABLED = "two_factor_enabled", _("Two-factor enabled")
    TWO_FACTOR_DISABLED = "two_factor_disabled", _("Two-factor disabled")
    RECOVERY_CODES = "recovery_codes", _("Recovery codes generated")
    USER_CREATED = "user_created", _("Staff user created")
    ROLE_CHANGED = "role_changed", _("Role changed")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    SETTINGS_CHANGED = "settings_changed", _("Settings changed")
    RULE_CHANGED = "rule_changed", _("Rule changed")
    EXPORT = "export", _("Export")
    EXPORT_REFUSED = "export_refused", _("Export refused")
    ERASURE = "erasure", _("Erasure")
    ERASURE_REFUSED = "erasure_refused", _("Erasure refused")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now)
    action = models.CharField(_("action"), max_length=40, choices=Action)
    # SET_NULL keeps the entry when a user row goes; actor_email keeps who it was.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_email = models.CharField(_("actor email"), max_length=254, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    target_type = models.CharField(_("target type"), max_length=80, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=200, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]
        indexes = [
            # The log page's filters: newest first, by action, by actor, by period.
            models.Index(fields=["-at"], name="audit_at_idx"),
            models.Index(fields=["action", "-at"], name="audit_action_at_idx"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.actor_email}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted")
