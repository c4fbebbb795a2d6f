"""Macros: a named set of actions an agent applies to a ticket in one go."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Macro(models.Model):
    """A reply text with placeholders, field changes and an internal note, applied together.

    ``actions`` is a list of ``{"type", "value"}`` (the types of
    ``tickets.services.macros.ACTION_TYPES``), validated by that service before it is
    saved. A macro with an ``owner`` is personal (only they see it); without, it is
    shared with every agent and only managers change it.
    """

    name = models.CharField(_("name"), max_length=150)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True,
                              blank=True, related_name="macros", verbose_name=_("owner"),
                              help_text=_("Empty for a macro shared with every agent."))
    actions = models.JSONField(_("actions"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["name", "pk"]
        indexes = [
            # The picker: shared macros plus the user's own, by name.
            models.Index(fields=["owner", "name"], name="macro_owner_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def shared(self) -> bool:
        return self.owner_id is None

    def action(self, kind: str):
        """The value of the action of this type, or None."""
        return next((a.get("value") for a in self.actions if a.get("type") == kind), None)
