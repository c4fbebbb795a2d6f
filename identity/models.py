"""Named API tokens (docs/identity.md): several per user, read-only or read-write, shown
once at creation and stored only as a SHA-256 digest."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def digest_key(key: str) -> str:
    # A token is 40 random characters (as DRF's were): a plain SHA-256 is enough, no
    # salt or stretching needed against guessing, and lookup stays one indexed query.
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                             on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    key_digest = models.CharField(_("key digest"), max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8,
                              help_text=_("The first characters of the key, to recognise it."))
    scope = models.CharField(_("scope"), max_length=8, choices=Scope, default=Scope.WRITE)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="apitoken_user_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def read_only(self) -> bool:
        return self.scope == self.Scope.READ
