from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ApiToken


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32, strip=True,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                         "inputmode": "numeric",
                                                         "autofocus": True}))


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, strip=True,
                           help_text=_("What uses it, e.g. “CRM sync”."))
    scope = forms.ChoiceField(label=_("Access"), choices=ApiToken.Scope.choices,
                              initial=ApiToken.Scope.READ)
