"""Forms of the agent workspace."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from helpdesk.models import User

from .models import CannedResponse, Channel, Team, Ticket
from .services.customers import normalize_phone


class NewTicketForm(forms.Form):
    """A ticket an agent logs for a customer who phoned or chatted.

    A caller may be known by phone number alone; a chat needs an email address.
    The customer is emailed an acknowledgement only when the agent ticks
    "acknowledge" (off by default: they were just on the phone with them, and the
    subject is the agent's words, docs/agent-pages.md).
    """

    channel = forms.ChoiceField(label=_("Channel"),
                                choices=[(Channel.PHONE, Channel.PHONE.label),
                                         (Channel.CHAT, Channel.CHAT.label)])
    customer_phone = forms.CharField(label=_("Customer phone"), max_length=40, required=False,
                                     help_text=_("For phone calls: the caller's number, e.g. "
                                                 "+358 40 123 4567."))
    customer_email = forms.EmailField(label=_("Customer email"), required=False,
                                      help_text=_("Optional for phone calls."))
    customer_name = forms.CharField(label=_("Customer name"), max_length=200, required=False,
                                    help_text=_("Used when the customer is new."))
    subject = forms.CharField(label=_("Subject"), max_length=255)
    body = forms.CharField(label=_("What the customer said"), widget=forms.Textarea(attrs={"rows": 8}))
    priority = forms.ChoiceField(label=_("Priority"), choices=Ticket.Priority.choices,
                                 initial=Ticket.Priority.NORMAL)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    assign_to_me = forms.BooleanField(label=_("Assign to me"), required=False, initial=True)
    acknowledge = forms.BooleanField(
        label=_("Email the customer an acknowledgement"), required=False, initial=False)

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams

    def clean_customer_phone(self) -> str:
        raw = self.cleaned_data.get("customer_phone", "")
        phone = normalize_phone(raw)
        if raw.strip() and not phone:
            raise forms.ValidationError(
                _("Enter a phone number of 5 to 20 digits, optionally starting with +."),
                code="invalid")
        return phone

    def clean(self):
        data = super().clean()
        email, phone = data.get("customer_email"), data.get("customer_phone")
        if data.get("channel") == Channel.PHONE:
            if not email and not phone and "customer_phone" not in self.errors:
                self.add_error("customer_phone",
                               _("Enter the caller's phone number or email address."))
        elif not email and "customer_email" not in self.errors:
            self.add_error("customer_email", _("A chat needs the customer's email address."))
        if data.get("acknowledge") and not email:
            self.add_error("acknowledge", _("There is no email address to send it to."))
        return data


class CannedResponseForm(forms.ModelForm):
    class Meta:
        model = CannedResponse
        fields = ["title", "body", "team"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}
        help_texts = {"body": _("Placeholders: {{ customer.name }}, {{ customer.email }}, "
                                "{{ ticket.reference }}, {{ ticket.subject }}, {{ agent.name }}.")}

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is not None:
            self.fields["team"].queryset = teams
        self.fields["team"].empty_label = _("Shared with every team")


def _time_zone_choices() -> list[tuple[str, str]]:
    names = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/"))
    return [("", _("Default (%(tz)s)") % {"tz": settings.TIME_ZONE})] + [(z, z) for z in names]


class PersonalSettingsForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Language"), required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    class Meta:
        model = User
        fields = ["name", "language", "time_zone", "signature"]
        # Replies (docs/replies.md): the signature ends public replies.
        widgets = {"signature": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"signature": _(
            "Ends your public replies; without one, your team's signature is used. "
            "Placeholders: {{ agent.name }}, {{ team.name }}, {{ ticket.reference }}, "
            "{{ customer.first_name }}. **bold**, *italic* and [links](https://…) work.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Browser default"))] + [
            (code, name) for code, name in settings.LANGUAGES]
        self.fields["time_zone"].choices = _time_zone_choices()
