from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.models import Channel, Organization

from .models import FollowUp, SurveyProgram
from .services.answers import COMMENT_MAX
from .services.waves import validate_program


class AnswerForm(forms.Form):
    score = forms.IntegerField(label=_("Your score"))
    comment = forms.CharField(label=_("Comment"), required=False, max_length=COMMENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 4}))


class CloseFollowUpForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUp.Outcome.choices)
    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class SurveyProgramForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(label=_("Channels"), choices=Channel.choices,
                                         required=False, widget=forms.CheckboxSelectMultiple,
                                         help_text=_("None selected: every channel."))
    tiers = forms.MultipleChoiceField(label=_("Organization tiers"),
                                      choices=Organization.Tier.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple,
                                      help_text=_("None selected: every tier."))

    class Meta:
        model = SurveyProgram
        fields = ["name", "kind", "metric", "question_en", "question_fi", "followup_question_en",
                  "followup_question_fi", "passive_question_en", "passive_question_fi",
                  "channels", "teams", "tiers", "trigger",
                  "delay_minutes", "throttle_days", "reminder_after_hours", "expiry_days",
                  "review_url", "ask_kind", "ask_url", "audience", "interval_months",
                  "spread_days", "followup_due_hours", "followup_fallback", "position", "active"]
        widgets = {"teams": forms.CheckboxSelectMultiple}
        help_texts = {
            "tiers": _("Transactional: the tickets it surveys. Relationship with audience "
                       "“tiers”: the organizations it asks."),
            "interval_months": _("Relationship programs: a new wave every N months."),
            "spread_days": _("Relationship programs: sends spread over at least this many "
                             "working-day mornings in each contact's time zone."),
        }

    # Optional in a post (older clients, the transactional form): an omitted value keeps
    # the model's default (transactional, all organizations, quarterly, five days).
    DEFAULTED = ("kind", "audience", "interval_months", "spread_days")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.DEFAULTED:
            self.fields[name].required = False

    def clean(self):
        data = super().clean()
        if data.get("kind") and data.get("interval_months") is not None:
            probe = SurveyProgram(kind=data["kind"], interval_months=data["interval_months"])
            try:
                validate_program(probe)
            except forms.ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    self.add_error(field, errors)
        if data.get("spread_days") == 0:
            self.add_error("spread_days", _("At least one day."))
        return data


class ContactsImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_(
        "Columns: email (required), name, organization, language (en, fi), time_zone."))
