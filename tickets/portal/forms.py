from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

MAX_FILES = 5


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("Attach at most %(n)d files.") % {"n": MAX_FILES}, code="too_many")
        cleaned = [super(MultipleFileField, self).clean(f, initial) for f in files]
        limit = settings.HELPDESK_MAX_ATTACHMENT_BYTES
        for upload in cleaned:
            if upload.size > limit:
                raise forms.ValidationError(
                    _("%(name)s is larger than the limit of %(limit)s.")
                    % {"name": upload.name, "limit": filesizeformat(limit)}, code="too_large")
        return cleaned


class HoneypotMixin(forms.Form):
    # Hidden from people by CSS; bots that fill every field fill this one too.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def is_spam(self) -> bool:
        return bool(self.data.get("website"))


class NewTicketForm(HoneypotMixin):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your email address"), max_length=320)
    subject = forms.CharField(label=_("Subject"), max_length=255)
    message = forms.CharField(label=_("How can we help?"), widget=forms.Textarea(attrs={"rows": 8}),
                              max_length=20000)
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class SignInForm(HoneypotMixin):
    email = forms.EmailField(label=_("Your email address"), max_length=320)


class ReplyForm(forms.Form):
    message = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 5}),
                              max_length=20000)
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class WidgetTicketForm(HoneypotMixin):
    name = forms.CharField(max_length=200)
    email = forms.EmailField(max_length=320)
    message = forms.CharField(max_length=20000)
    subject = forms.CharField(max_length=255, required=False)
