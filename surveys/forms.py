from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.models import Channel, Organization

from .models import FollowUp, SurveyProgram
from .services.answers import COMMENT_MAX


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
        fields = ["name", "metric", "question_en", "question_fi", "followup_question_en",
                  "followup_question_fi", "channels", "teams", "tiers", "trigger",
                  "delay_minutes", "throttle_days", "reminder_after_hours", "expiry_days",
                  "review_url", "followup_due_hours", "followup_fallback", "position", "active"]
        widgets = {"teams": forms.CheckboxSelectMultiple}
