"""Admin for the email intake log: every received message, its outcome, and the quarantine."""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from helpdesk.files import serve_user_file

from . import intake
from .models import Customer, InboundEmail


class ReleaseForm(forms.Form):
    """Who the quarantined message is from: a known customer, or an address typed in."""

    customer = forms.ModelChoiceField(
        label=_("Known customer"), queryset=Customer.objects.none(), required=False,
        help_text=_("Or type an address below."))
    email = forms.EmailField(label=_("Sender address"), required=False)
    name = forms.CharField(label=_("Sender name"), max_length=200, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(pk__in=candidates)

    def clean(self):
        data = super().clean()
        customer = data.get("customer")
        if customer is not None:
            data["email"], data["name"] = customer.email, data.get("name") or customer.name
        elif not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Choose a known customer or type the sender's address."))
        return data


def release_candidates(inbound: InboundEmail) -> list[int]:
    """Customers the message may be from: those whose address appears in its headers,
    and the customer of the ticket it mentions, at most 20."""
    raw = bytes(inbound.raw[:65536]).decode("utf-8", "replace").lower()
    return list(Customer.objects.filter(email__in=_addresses(raw)).values_list("pk", flat=True)[:20])


def _addresses(text: str) -> list[str]:
    return sorted(set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text)))[:200]


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
                       "attempts", "raw_download", "release_link")
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

    @admin.display(description=_("release"))
    def release_link(self, obj: InboundEmail) -> str:
        if obj.status != InboundEmail.Status.QUARANTINED:
            return "-"
        url = reverse("admin:tickets_inboundemail_release", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url,
                           _("Release with a chosen sender…"))

    def get_urls(self):
        view = self.admin_site.admin_view(self.raw_view)
        release = self.admin_site.admin_view(self.release_view)
        return [path("<int:pk>/raw/", view, name="tickets_inboundemail_raw"),
                path("<int:pk>/release/", release, name="tickets_inboundemail_release"),
                *super().get_urls()]

    def release_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A form to pick or type the sender, then the intake service runs the message."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        inbound = get_object_or_404(InboundEmail.objects.defer("error"), pk=pk)
        change_url = reverse("admin:tickets_inboundemail_change", args=[inbound.pk])
        if inbound.status != InboundEmail.Status.QUARANTINED:
            self.message_user(request, _("Only a quarantined message can be released."),
                              messages.ERROR)
            return redirect(change_url)
        form = ReleaseForm(request.POST or None, candidates=release_candidates(inbound),
                           initial={"email": inbound.sender})
        if request.method == "POST" and form.is_valid():
            result = intake.release(inbound, email=form.cleaned_data["email"],
                                    name=form.cleaned_data["name"])
            self._report(request, inbound, result)
            return redirect(change_url)
        return TemplateResponse(request, "admin/tickets/inboundemail_release.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta,
            "title": _("Release a quarantined message"), "inbound": inbound, "form": form,
            "change_url": change_url,
        }, status=400 if form.errors else 200)

    def _report(self, request: HttpRequest, inbound: InboundEmail, result) -> bool:
        """Say what one retry or release did; True when the message is out of quarantine."""
        inbound = result.inbound or inbound  # as the intake left it
        label = inbound.subject or inbound.sender or f"#{inbound.pk}"
        if result.status == "quarantined":
            self.message_user(request, _("“%(label)s” failed again: %(reason)s") % {
                "label": label, "reason": result.reason or _("unknown error")}, messages.ERROR)
            return False
        outcome = InboundEmail.Status(result.status).label if result.status in \
            InboundEmail.Status.values else result.status
        text = _("“%(label)s”: %(outcome)s") % {"label": label, "outcome": outcome}
        if result.ticket is not None:
            text += f" ({result.ticket.reference})"
        if result.reason:
            text += f" – {result.reason}"
        self.message_user(request, text, messages.SUCCESS)
        return True

    def raw_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        inbound = get_object_or_404(InboundEmail, pk=pk)
        # The bytes are untrusted: served like every file a sender supplied (a download).
        return serve_user_file(bytes(inbound.raw), filename=f"inbound-{inbound.pk}.eml",
                               content_type="message/rfc822")

    @admin.action(description=_("Retry the selected quarantined messages"))
    def retry_selected(self, request: HttpRequest, queryset) -> None:
        """Each message's outcome is its own line: an error when it failed again."""
        selected = list(queryset.filter(status=InboundEmail.Status.QUARANTINED)
                        .defer("raw", "error"))
        if not selected:
            self.message_user(request, _("None of the selected messages is quarantined."),
                              messages.WARNING)
            return
        done = 0
        for index, inbound in enumerate(selected):
            result = intake.retry(inbound)
            if index < 20:  # one line each for the first twenty, then only the count
                done += self._report(request, inbound, result)
            else:
                done += result.status != "quarantined"
        if len(selected) > 1:
            self.message_user(
                request,
                ngettext("%(n)d of %(total)d message was processed.",
                         "%(n)d of %(total)d messages were processed.", len(selected))
                % {"n": done, "total": len(selected)},
                messages.SUCCESS if done == len(selected) else messages.WARNING)
