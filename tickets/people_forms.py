"""Forms of the customer and organization pages (docs/customers.md)."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.core.validators import validate_domain_name
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .models import Customer, CustomerNote, Organization, OrganizationDomain


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["name", "email", "phone", "language", "time_zone", "organization"]
        help_texts = {"time_zone": _("For example Europe/Helsinki. Empty: the helpdesk's own.")}

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        taken = (Customer.objects.annotate(e=Lower("email")).filter(e=email.lower())
                 .exclude(pk=self.instance.pk).exists())
        if taken:
            raise forms.ValidationError(_("Another customer has this email address."))
        return email

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"].strip()
        if name and name not in zoneinfo.available_timezones():
            raise forms.ValidationError(_("Unknown time zone; use a name such as "
                                          "Europe/Helsinki."))
        return name


class OrganizationForm(forms.ModelForm):
    domains = forms.CharField(label=_("Email domains"), required=False,
                              help_text=_("Separated by commas, e.g. example.fi, example.com."))

    class Meta:
        model = Organization
        fields = ["name", "tier", "annual_revenue", "active_since", "churned_at"]
        widgets = {"active_since": forms.DateInput(attrs={"type": "date"}),
                   "churned_at": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["domains"] = ", ".join(
                d.domain for d in self.instance.domains.all())

    def clean_annual_revenue(self):
        revenue = self.cleaned_data["annual_revenue"]
        if revenue is not None and revenue < 0:
            raise forms.ValidationError(_("Revenue cannot be negative."))
        return revenue

    def clean_domains(self) -> list[str]:
        names = [d.strip().lower() for d in self.cleaned_data["domains"].split(",") if d.strip()]
        for name in names:
            try:
                validate_domain_name(name)
            except forms.ValidationError:
                raise forms.ValidationError(_("“%(domain)s” is not a domain name.")
                                            % {"domain": name}) from None
        taken = (OrganizationDomain.objects.filter(domain__in=names)
                 .exclude(organization_id=self.instance.pk).values_list("domain", flat=True))
        if taken:
            raise forms.ValidationError(_("Already another organization's: %(domains)s.")
                                        % {"domains": ", ".join(sorted(taken))})
        return names

    def clean(self):
        data = super().clean()
        since, churned = data.get("active_since"), data.get("churned_at")
        if since and churned and churned < since:
            self.add_error("churned_at", _("Churned before it became a customer?"))
        return data


class NoteForm(forms.ModelForm):
    class Meta:
        model = CustomerNote
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}
