"""Custom ticket fields: what admins define, and the values tickets hold (docs/custom-fields.md).

Values live in one narrow table, one row per (ticket, field, value): a multi-select
holds a row per chosen option, every other type at most one row. The composite
index ``(field, value, ticket)`` answers "tickets whose <dropdown> is <option>" with
an index-only probe, whatever the number of fields, so a queue filtered by a custom
dropdown stays on an index at a million tickets.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .core import Team, Ticket

KEY_VALIDATOR = RegexValidator(r"^[a-z][a-z0-9_]{0,31}$",
                               _("Lower-case letters, digits and _, starting with a letter."))


def localized(texts: dict, language: str | None = None) -> str:
    """The text for the current language, falling back to English, then any."""
    language = (language or get_language() or settings.LANGUAGE_CODE)[:2]
    return texts.get(language) or texts.get("en") or next(iter(texts.values()), "")


class CustomField(models.Model):
    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DROPDOWN = "dropdown", _("Dropdown")
        MULTISELECT = "multiselect", _("Multi-select")
        CHECKBOX = "checkbox", _("Checkbox")
        DATE = "date", _("Date")

    WITH_OPTIONS = (Type.DROPDOWN, Type.MULTISELECT)
    # Not a column: the pks of ``teams``, set once per request by
    # ``services.custom_fields.active_fields`` so the per-ticket filter needs no query.
    team_ids: set[int]

    key = models.CharField(_("key"), max_length=32, unique=True, validators=[KEY_VALIDATOR],
                           help_text=_("Used in the API and in rules: the key product is the "
                                       "filter field_product and the rule field "
                                       "field.product."))
    type = models.CharField(_("type"), max_length=16, choices=Type)
    label_en = models.CharField(_("label in English"), max_length=100)
    label_fi = models.CharField(_("label in Finnish"), max_length=100)
    # [{"key": "printer", "en": "Printer", "fi": "Tulostin"}, …] in the order shown.
    options = models.JSONField(_("options"), default=list, blank=True)
    # Empty: every channel / every team.
    channels = models.JSONField(_("channels"), default=list, blank=True)
    teams = models.ManyToManyField(Team, blank=True, related_name="+", verbose_name=_("teams"))
    required_on_solve = models.BooleanField(_("required on solve"), default=False)
    public = models.BooleanField(_("on the customer web form"), default=False)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localized({"en": self.label_en, "fi": self.label_fi})

    @property
    def param(self) -> str:
        """The name of this field in query strings and forms."""
        return f"field_{self.key}"

    def option_label(self, key: str) -> str:
        for option in self.options:
            if option.get("key") == key:
                return localized(option)
        return key

    @property
    def option_choices(self) -> list[tuple[str, str]]:
        return [(o["key"], localized(o)) for o in self.options]

    def applies_to(self, ticket: Ticket, team_ids: set[int] | None = None) -> bool:
        """Whether the ticket shows this field: its channel and team are among the field's
        (``team_ids`` of the field, when prefetched; else read from ``teams``)."""
        if self.channels and ticket.channel not in self.channels:
            return False
        if team_ids is None:
            team_ids = {t.pk for t in self.teams.all()}
        return not team_ids or ticket.team_id in team_ids


class TicketFieldValue(models.Model):
    # No single-column indexes: the unique constraint leads with the ticket, the
    # composite index with the field.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="field_values",
                               verbose_name=_("ticket"), db_index=False)
    field = models.ForeignKey(CustomField, on_delete=models.CASCADE, related_name="values",
                              verbose_name=_("field"), db_index=False)
    # The canonical text: option key, text, ISO date, "true"/"false", or the number.
    value = models.CharField(_("value"), max_length=255)
    # Number fields also as a number, for ranges and sums.
    number = models.DecimalField(_("number"), max_digits=18, decimal_places=4, null=True,
                                 blank=True)

    class Meta:
        verbose_name = _("custom field value")
        verbose_name_plural = _("custom field values")
        constraints = [
            # Also the index that reads one ticket's values (ticket first).
            models.UniqueConstraint(fields=["ticket", "field", "value"],
                                    name="ticket_field_value_unique"),
        ]
        indexes = [
            # Queue and API filter "field = value": an index-only probe per ticket, or a
            # scan of the matching ticket ids (docs/custom-fields.md, EXPLAIN).
            models.Index(fields=["field", "value", "ticket"], name="field_value_ticket_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.field_id}={self.value} on {self.ticket_id}"


