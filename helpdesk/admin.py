"""Admin for staff users and the outbox, and the helpers every large changelist uses."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import outbox
from .models import OutboundEmail, User

# The admin's own name, in the user's language (docs/pages.md).
admin.site.site_header = _("Helpdesk administration")
admin.site.site_title = _("Helpdesk admin")
admin.site.index_title = _("Settings and records")
admin.site.site_url = "/"


class CappedCountPaginator(Paginator):
    """Counts at most CAP rows: COUNT(*) over millions of tickets or messages takes longer
    than the page itself. Past the cap the changelist offers CAP rows; filter or search
    to narrow down."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: self.CAP].count()


class LargeTableAdmin(admin.ModelAdmin):
    """A changelist that stays fast at millions of rows: capped count, newest first by id."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    ordering = ("-pk",)
    list_per_page = 50


class StaffCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name", "role")


class StaffChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Staff users sign in with their email address; the role decides what they see."""

    form = StaffChangeForm
    add_form = StaffCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("name", "language", "time_zone", "signature")}),
        (_("Role"), {"fields": ("role", "is_active", "is_staff", "is_superuser")}),
        (_("Assignment"), {"fields": ("availability", "capacity")}),
        (_("Admin permissions"), {"classes": ("collapse",),
                                  "fields": ("groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",),
                "fields": ("email", "name", "role", "usable_password", "password1",
                           "password2")}),
    )
    list_display = ("email", "name", "role", "availability", "capacity", "is_active",
                    "is_staff", "last_login")
    list_filter = ("role", "is_active", "is_staff", "is_superuser", "teams")
    search_fields = ("email", "name")
    ordering = ("email",)
    filter_horizontal = ("groups", "user_permissions")


@admin.register(OutboundEmail)
class OutboundEmailAdmin(LargeTableAdmin):
    list_display = ("created_at", "kind", "to", "subject", "status", "delivery", "attempts",
                    "sent_at")
    list_filter = ("status", "delivery", "kind")
    search_fields = ("=to", "subject", "=message_id", "=esp_message_id", "=ticket_id")
    readonly_fields = ("message_id", "esp_message_id", "created_at", "claimed_at", "sent_at",
                       "attempts", "last_error", "delivery", "delivery_at", "status")
    actions = ["resend"]

    def get_queryset(self, request):
        # Bodies can be long: the list never shows them.
        return super().get_queryset(request).defer("body_text", "body_html", "headers")

    @admin.action(description=_("Send the selected emails again"))
    def resend(self, request, queryset) -> None:
        """Failed rows go back in the queue; rows already sent go out again as a copy
        with a new Message-ID, so the first send stays on record. Rows the ESP reported
        delivered (tracking) are not sent twice: failed ones are recorded as sent,
        delivered ones are left alone, and the admin is told."""
        failed = list(queryset.filter(status=OutboundEmail.Status.FAILED)
                      .values_list("pk", flat=True))
        retried = outbox.retry_now(email_ids=failed)
        count, refused = retried.queued, retried.already_sent
        copies = queryset.exclude(pk__in=failed).exclude(status=OutboundEmail.Status.QUEUED)
        for email in copies.defer(None):
            if email.delivery == OutboundEmail.Delivery.DELIVERED:
                refused += 1
                continue
            outbox.queue_email(
                kind=email.kind, to=email.to, subject=email.subject, body_text=email.body_text,
                body_html=email.body_html, headers=email.headers, reply_to=email.reply_to,
                from_email=email.from_email, language=email.language, ticket_id=email.ticket_id,
                related_key=email.related_key)
            count += 1
        self.message_user(
            request,
            ngettext("%(n)d email was queued again.", "%(n)d emails were queued again.", count)
            % {"n": count},
            messages.SUCCESS,
        )
        if refused:
            self.message_user(
                request,
                ngettext("%(n)d email was not sent again: the ESP's tracking shows it "
                         "already received it.",
                         "%(n)d emails were not sent again: the ESP's tracking shows it "
                         "already received them.",
                         refused) % {"n": refused},
                messages.WARNING,
            )
