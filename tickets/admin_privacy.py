"""Admin actions on customers: export everything stored about one, or erase their personal
data (docs/privacy.md). Admins only: the actions ask ``has_privacy_permission``."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from audit.models import Action
from audit.services import record
from helpdesk.permissions import is_admin

from . import privacy


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
