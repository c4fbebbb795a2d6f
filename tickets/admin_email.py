"""Admin for the email intake log: every received message, its outcome, and the quarantine."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from helpdesk.files import serve_user_file

from . import intake
from .models import InboundEmail


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = ("received_at", "sender", "subject", "source", "esp", "status", "reason",
                    "ticket_link", "attempts")
    list_filter = ("status", "source", "esp")
    search_fields = ("sender", "subject", "email_message_id", "dedup_key")
    date_hierarchy = "received_at"
    list_select_related = ("ticket",)
    actions = ["retry_selected"]
    readonly_fields = ("source", "esp", "dedup_key", "email_message_id", "sender", "subject",
                       "received_at", "status", "reason", "error", "ticket", "message",
                       "attempts", "raw_download")
    exclude = ("raw",)
    # The raw column can be megabytes: never load it for the list.
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).defer("raw", "error")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("ticket"))
    def ticket_link(self, obj: InboundEmail) -> str:
        if not obj.ticket_id:
            return "-"
        return format_html('<a href="{}">{}</a>', obj.ticket.get_absolute_url(),
                           obj.ticket.reference)

    @admin.display(description=_("raw message"))
    def raw_download(self, obj: InboundEmail) -> str:
        url = reverse("admin:tickets_inboundemail_raw", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download the raw message (.eml)"))

    def get_urls(self):
        view = self.admin_site.admin_view(self.raw_view)
        return [path("<int:pk>/raw/", view, name="tickets_inboundemail_raw"), *super().get_urls()]

    def raw_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        inbound = get_object_or_404(InboundEmail, pk=pk)
        # The bytes are untrusted: served like every file a sender supplied (a download).
        return serve_user_file(bytes(inbound.raw), filename=f"inbound-{inbound.pk}.eml",
                               content_type="message/rfc822")

    @admin.action(description=_("Retry the selected quarantined messages"))
    def retry_selected(self, request: HttpRequest, queryset) -> None:
        done = 0
        for inbound in queryset.filter(status=InboundEmail.Status.QUARANTINED).defer("raw"):
            result = intake.retry(inbound)
            done += result.status != "quarantined"
        self.message_user(
            request,
            ngettext("%(n)d message was processed.", "%(n)d messages were processed.", done)
            % {"n": done},
            messages.SUCCESS if done else messages.WARNING,
        )
