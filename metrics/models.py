"""The only rows metrics writes: managers' preferences about the weekly digest."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DigestOptOut(models.Model):
    """A manager who does not want the weekly digest email (kept here: metrics
    may not change the user model)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="metrics_digest_opt_out")
    created_at = models.DateTimeField(_("opted out at"), default=timezone.now)

    class Meta:
        verbose_name = _("weekly digest opt-out")
        verbose_name_plural = _("weekly digest opt-outs")

    def __str__(self) -> str:
        return str(self.user)
