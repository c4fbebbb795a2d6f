from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CannedResponse(models.Model):
    """A reusable reply. Placeholders such as {{ customer.name }} and {{ ticket.reference }}
    are filled in when inserted."""

    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(_("text"))
    team = models.ForeignKey("tickets.Team", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="canned_responses", verbose_name=_("team"),
                             help_text=_("Leave empty to share with every team."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class SavedFilter(models.Model):
    """An agent's named queue: the query string of the ticket list."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="saved_filters")
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filter"), max_length=1000)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name
