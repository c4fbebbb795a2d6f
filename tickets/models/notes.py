"""Notes staff keep about a customer, shown on the customer page (docs/customers.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CustomerNote(models.Model):
    customer = models.ForeignKey("tickets.Customer", on_delete=models.CASCADE,
                                 related_name="notes", verbose_name=_("customer"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("author"))
    body = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("customer note")
        verbose_name_plural = _("customer notes")
        indexes = [models.Index(fields=["customer", "-created_at"], name="customer_note_idx")]

    def __str__(self) -> str:
        return self.body[:40]
