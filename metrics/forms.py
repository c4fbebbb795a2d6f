from django import forms
from django.utils.translation import gettext_lazy as _


class OrganizationImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: name, annual_revenue, active_since, churned_at (dates YYYY-MM-DD)."),
    )
