"""The macro form of the management page: one field per action, turned into the
``actions`` list the service validates (the same validation as the API)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import policy
from .models import Macro, Ticket
from .placeholders import NAMES
from .services.macros import ME

NO_CHANGE = ("", _("— no change —"))
NOBODY = "nobody"
TEXT_HELP = format_lazy(_("Placeholders: {names}."),
                        names=", ".join("{{ " + n + " }}" for n in NAMES))


def _split_tags(text: str) -> list[str]:
    return [t for t in text.replace(",", " ").split() if t]


class MacroForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    shared = forms.BooleanField(label=_("Shared with every agent"), required=False,
                                help_text=_("Otherwise only you see this macro."))
    reply = forms.CharField(label=_("Reply text"), required=False, help_text=TEXT_HELP,
                            widget=forms.Textarea(attrs={"rows": 6}))
    set_status = forms.ChoiceField(label=_("Status"), required=False,
                                   choices=[NO_CHANGE, *Ticket.Status.choices])
    set_priority = forms.ChoiceField(label=_("Priority"), required=False,
                                     choices=[NO_CHANGE, *Ticket.Priority.choices])
    set_team = forms.ChoiceField(label=_("Team"), required=False)
    set_assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    add_tags = forms.CharField(label=_("Add tags"), required=False, max_length=1000,
                               help_text=_("Separated by spaces or commas."))
    remove_tags = forms.CharField(label=_("Remove tags"), required=False, max_length=1000)
    add_note = forms.CharField(label=_("Internal note"), required=False, help_text=TEXT_HELP,
                               widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, macro: Macro | None = None, **kwargs):
        if macro is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(macro)
        super().__init__(*args, **kwargs)
        self.user = user
        if not policy.sees_all(user):
            del self.fields["shared"]
        self.fields["set_team"].choices = [NO_CHANGE] + [
            (str(t.pk), t.name) for t in policy.allowed_teams(user).order_by("name")]
        self.fields["set_assignee"].choices = [
            NO_CHANGE, (ME, _("Whoever applies the macro")), (NOBODY, _("Nobody"))] + [
            (str(a.pk), str(a)) for a in policy.assignable_agents(user)]
        self.custom_names = add_custom_field_inputs(self)

    @staticmethod
    def initial_for(macro: Macro) -> dict:
        initial = {"name": macro.name, "shared": macro.shared}
        for action in macro.actions:
            kind, value = action["type"], action["value"]
            if kind in ("add_tags", "remove_tags"):
                value = ", ".join(value)
            elif kind == "set_assignee":
                value = NOBODY if value is None else str(value)
            elif kind == "set_team":
                value = str(value)
            elif kind == "set_fields":
                initial.update(custom_field_initial(value))
                continue
            initial[kind] = value
        return initial

    def actions(self) -> list[dict]:
        data, actions = self.cleaned_data, []
        for kind in ("reply", "add_note", "set_status", "set_priority"):
            if data.get(kind):
                actions.append({"type": kind, "value": data[kind]})
        if data.get("set_team"):
            actions.append({"type": "set_team", "value": int(data["set_team"])})
        assignee = data.get("set_assignee")
        if assignee:
            value = None if assignee == NOBODY else ME if assignee == ME else int(assignee)
            actions.append({"type": "set_assignee", "value": value})
        for kind in ("add_tags", "remove_tags"):
            if _split_tags(data.get(kind, "")):
                actions.append({"type": kind, "value": _split_tags(data[kind])})
        values = custom_field_values(self)
        if values:
            actions.append({"type": "set_fields", "value": values})
        return actions

    def add_service_errors(self, exc: ValidationError) -> None:
        """Show the service's errors beside the field they are about: an action's
        message starts with its type ("set_team: …")."""
        for name, messages in exc.message_dict.items():
            for message in messages:
                kind, _sep, rest = message.partition(": ")
                if name == "actions" and kind == "set_fields" and self.custom_names:
                    self.add_error(self.custom_names[0], rest)
                elif name == "actions" and kind in self.fields:
                    self.add_error(kind, rest)
                elif name in self.fields:
                    self.add_error(name, message)
                else:
                    self.add_error(None, message)


# -- custom fields (docs/custom-fields.md): one "no change" input per active field ---------

CUSTOM_PREFIX = "set_field_"


def add_custom_field_inputs(form: forms.Form) -> list[str]:
    from .models import CustomField

    names = []
    for custom in CustomField.objects.filter(active=True):
        name = f"{CUSTOM_PREFIX}{custom.key}"
        if custom.type == CustomField.Type.DROPDOWN:
            field = forms.ChoiceField(choices=[NO_CHANGE, *custom.option_choices])
        elif custom.type == CustomField.Type.CHECKBOX:
            field = forms.ChoiceField(choices=[NO_CHANGE, ("true", _("Yes")),
                                               ("false", _("No"))])
        else:
            field = forms.CharField(max_length=255, help_text=_(
                "Empty: no change.") if custom.type != CustomField.Type.MULTISELECT else _(
                "Option keys separated by commas; empty: no change."))
        field.required, field.label = False, custom.label
        form.fields[name] = field
        names.append(name)
    return names


def custom_field_values(form: forms.Form) -> dict:
    return {name[len(CUSTOM_PREFIX):]: form.cleaned_data[name]
            for name in form.custom_names if form.cleaned_data.get(name)}


def custom_field_initial(values: dict) -> dict:
    return {f"{CUSTOM_PREFIX}{key}": ", ".join(v) if isinstance(v, list) else str(v)
            for key, v in values.items()}
