from django import forms
from django.core.exceptions import ValidationError

from .alert_models import AlertSubscription
from .alerts import validate_subject


class AlertSubscriptionForm(forms.ModelForm):
    class Meta:
        model = AlertSubscription
        fields = ["metric", "subject", "subject_key", "direction", "window_days"]

    def clean(self):
        data = super().clean()
        if "subject" in data:
            try:
                validate_subject(data["subject"], data.get("subject_key", ""))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    self.add_error(field, errors)
        return data

    def clean_window_days(self):
        days = self.cleaned_data["window_days"]
        if not 1 <= days <= 366:
            raise ValidationError(self.fields["window_days"].error_messages.get(
                "invalid", "1–366"))
        return days
