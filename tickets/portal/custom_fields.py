"""Custom fields marked public on the customer's web form (docs/custom-fields.md).

Each becomes a form field ``field_<key>`` whose cleaning is the change service's
(``custom_fields.clean_value``), so a wrong value is an inline error on that field
with everything typed kept; the values then reach the new ticket through
``apply_ticket_changes`` (source "portal")."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .. import routing
from ..models import Channel, CustomField, Ticket
from ..services import apply_ticket_changes
from ..services.custom_fields import active_fields, clean_value

Type = CustomField.Type


class _CustomValueField(forms.Field):
    def __init__(self, custom: CustomField, **kwargs):
        self.custom = custom
        super().__init__(required=False, label=custom.label, **kwargs)

    def to_python(self, value):
        if self.custom.type == Type.CHECKBOX:
            return bool(value)
        return value

    def validate(self, value):
        pass

    def clean(self, value):
        value = self.to_python(value)
        try:
            clean_value(self.custom, value)
        except ValidationError as exc:
            raise ValidationError(list(exc.message_dict.values())[0]) from None
        return value


def _widget(custom: CustomField):
    if custom.type == Type.DROPDOWN:
        return forms.Select(choices=[("", "—"), *custom.option_choices])
    if custom.type == Type.MULTISELECT:
        return forms.CheckboxSelectMultiple(choices=custom.option_choices)
    if custom.type == Type.CHECKBOX:
        return forms.CheckboxInput()
    if custom.type == Type.DATE:
        return forms.DateInput(attrs={"type": "date"})
    if custom.type == Type.NUMBER:
        return forms.TextInput(attrs={"inputmode": "decimal"})
    return forms.TextInput(attrs={"maxlength": 255})


def add_public_fields(form: forms.Form, *, channel: str = Channel.WEB) -> list[str]:
    """Add the public fields of a web ticket to ``form``; their names."""
    team = routing.default_team(channel=channel, addresses=())
    probe = Ticket(channel=channel, team=team)
    names = []
    for custom in active_fields():
        if not custom.public or (custom.channels and channel not in custom.channels) or (
                custom.team_ids and probe.team_id not in custom.team_ids):
            continue
        field = _CustomValueField(custom, widget=_widget(custom))
        form.fields[custom.param] = field
        names.append(custom.param)
    form.custom_field_names = names
    return names


def public_values(form: forms.Form) -> dict:
    return {form.fields[name].custom.key: form.cleaned_data.get(name)
            for name in getattr(form, "custom_field_names", [])}


def set_public_values(ticket: Ticket, values: dict) -> None:
    values = {k: v for k, v in values.items() if v not in (None, "", [], False)}
    if values:
        apply_ticket_changes(ticket=ticket, changes={"fields": values}, actor=None,
                             source="portal")
