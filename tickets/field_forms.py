"""The admins' custom field form (docs/custom-fields.md). Options are typed one per line
as ``key | English | Suomi``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Channel, CustomField, Team
from .services.custom_fields import clean_options


def options_text(options: list[dict]) -> str:
    return "\n".join(f"{o['key']} | {o['en']} | {o['fi']}" for o in options)


def parse_options_text(text: str) -> list[dict]:
    out = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3:
            raise ValidationError(_("Line %(n)d: write key | English | Suomi.") % {"n": n})
        out.append({"key": parts[0], "en": parts[1], "fi": parts[2]})
    return out


class CustomFieldForm(forms.ModelForm):
    options_text = forms.CharField(
        label=_("Options"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Dropdowns and multi-selects: one option per line, "
                    "“key | English | Suomi”, e.g. “printer | Printer | Tulostin”."))
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=Channel.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: every channel."))
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"), queryset=Team.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: every team."))

    field_order = ["key", "type", "label_en", "label_fi", "options_text"]

    class Meta:
        model = CustomField
        fields = ["key", "type", "label_en", "label_fi", "channels", "teams",
                  "required_on_solve", "public", "active", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # values and rules refer to the key; values fit the type
            for name in ("key", "type"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Fixed once the field exists.")
            self.initial["options_text"] = options_text(self.instance.options)

    def clean(self):
        data = super().clean()
        try:
            options = parse_options_text(data.get("options_text", ""))
            self.instance.options = clean_options(options, field_type=data.get("type", ""))
        except ValidationError as exc:
            messages = exc.message_dict.get("options", exc.messages) if hasattr(
                exc, "error_dict") else exc.messages
            self.add_error("options_text", messages)
        return data
