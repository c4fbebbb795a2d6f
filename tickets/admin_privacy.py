"""Admin actions on customers: export everything stored about one, or erase their personal
data (docs/privacy.md). Admins only: the actions ask ``has_privacy_permission``. Also the
retention periods (``RetentionPolicy``), one row, admins only."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from audit.models import Action
from audit.services import record
from helpdesk.permissions import is_admin

from . import privacy
from .models import RetentionPolicy


class PrivacyActions:
    """Mixed into CustomerAdmin."""

    def has_privacy_permission(self, request) -> bool:
        return is_admin(request.user)

    @admin.action(description=gettext_lazy("Export personal data (zip)"),
                  permissions=["privacy"])
    def export_personal_data(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one customer to export."),
                              messages.ERROR)
            return None
        customer = queryset.get()
        return privacy.export_response(customer=customer, request=request)

    @admin.action(description=gettext_lazy("Erase personal data…"), permissions=["privacy"])
    def erase_personal_data(self, request, queryset):
        if request.POST.get("confirmed") == "yes":
            for customer in queryset:
                done = privacy.erase_customer(customer=customer)
                record(action=Action.ERASURE, request=request,
                       target=privacy.audit_target(customer),
                       detail={"sections": done})
            count = queryset.count()
            self.message_user(request, ngettext(
                "Erased the personal data of %(count)d customer. Their scores and ticket "
                "facts stay in the metrics without anything that identifies them.",
                "Erased the personal data of %(count)d customers. Their scores and ticket "
                "facts stay in the metrics without anything that identifies them.",
                count) % {"count": count}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Erase personal data"),
            "customers": queryset.select_related("organization"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/tickets/customer/erase_confirm.html", context)


def environment_default_text(value: int, unit: str) -> str:
    """“Environment default: 6 months.” or “… 0 (keep forever).”, shown under each field."""
    if value == 0:
        return _("Environment default: 0 (keep forever).")
    if unit == "months":
        return ngettext("Environment default: %(value)d month.",
                        "Environment default: %(value)d months.", value) % {"value": value}
    return ngettext("Environment default: %(value)d day.",
                    "Environment default: %(value)d days.", value) % {"value": value}


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    """One row, admins only: the list opens the row (or the form to create it), there is
    no second row and no delete. Saving is recorded in the audit log (audit.receivers)."""

    fields = ("closed_ticket_months", "quarantine_days", "updated_at", "updated_by")
    readonly_fields = ("updated_at", "updated_by")

    def _admin(self, request) -> bool:
        return is_admin(request.user)

    def has_module_permission(self, request):
        return self._admin(request)

    def has_view_permission(self, request, obj=None):
        return self._admin(request)

    def has_change_permission(self, request, obj=None):
        return self._admin(request)

    def has_add_permission(self, request):
        # Django's sidebar and index ask this on every admin page: answered from what the
        # add view itself found (one query there), not with a query on every page.
        return getattr(request, "_may_add_retention_policy", False)

    def add_view(self, request, form_url="", extra_context=None):
        request._may_add_retention_policy = (  # type: ignore[attr-defined]
            self._admin(request) and not RetentionPolicy.objects.exists())
        return super().add_view(request, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if RetentionPolicy.objects.filter(pk=RetentionPolicy.SINGLETON_PK).exists():
            return redirect("admin:tickets_retentionpolicy_change", RetentionPolicy.SINGLETON_PK)
        return redirect("admin:tickets_retentionpolicy_add")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        defaults = {"closed_ticket_months": (settings.HELPDESK_RETENTION_CLOSED_MONTHS, "months"),
                    "quarantine_days": (settings.HELPDESK_RETENTION_QUARANTINE_DAYS, "days")}
        if field is not None and db_field.name in defaults:
            field.help_text = f"{db_field.help_text} {environment_default_text(*defaults[db_field.name])}"
        return field

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
