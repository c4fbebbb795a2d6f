from . import admin_email, admin_routing, admin_sla  # noqa: F401, I001  (registrations split by subdomain; this line stays first)

# Admin for the ticket domain. Changelists of tickets, messages and events stay fast at
# millions of rows: capped counts, related rows joined, raw id widgets instead of selects.

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from helpdesk.admin import LargeTableAdmin

from . import search
from .admin_privacy import PrivacyActions
from .models import (
    Attachment,
    CannedResponse,
    Customer,
    Message,
    Organization,
    OrganizationDomain,
    SavedFilter,
    Tag,
    Team,
    TeamMembership,
    Ticket,
    TicketEvent,
)


class OrganizationDomainInline(admin.TabularInline):
    model = OrganizationDomain
    extra = 1


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "tier", "active_since", "churned_at", "annual_revenue", "domain_list")
    list_filter = ("tier", ("churned_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "domains__domain")
    inlines = [OrganizationDomainInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("domains")

    @admin.display(description=_("email domains"))
    def domain_list(self, obj: Organization) -> str:
        return ", ".join(d.domain for d in obj.domains.all())


@admin.register(Customer)
class CustomerAdmin(PrivacyActions, LargeTableAdmin):
    actions = ["export_personal_data", "erase_personal_data"]
    list_display = ("email", "name", "organization", "language", "survey_opt_out", "bounced",
                    "created_at")
    list_filter = ("language", "survey_opt_out", "bounced", "organization__tier")
    search_fields = ("email", "name")
    list_select_related = ("organization",)
    raw_id_fields = ("organization",)


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 1
    raw_id_fields = ("user",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "assignment", "member_count")
    list_filter = ("assignment",)
    search_fields = ("name",)
    fields = ("name", "email", "assignment", "signature")
    inlines = [TeamMembershipInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("memberships"))

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, obj: Team) -> int:
        return obj.member_total


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(Ticket)
class TicketAdmin(LargeTableAdmin):
    list_display = ("reference", "subject", "status", "priority", "channel", "customer", "team",
                    "assignee", "created_at")
    list_filter = ("status", "priority", "channel", "team", "is_spam")
    search_fields = ("subject",)  # replaced by the full-text search below
    search_help_text = _("A reference such as HD-1042, or words from the subject, customer "
                         "or thread.")
    list_select_related = ("customer", "team", "assignee")
    raw_id_fields = ("customer", "assignee", "merged_into", "follows_up")
    readonly_fields = ("created_at", "updated_at", "first_response_at", "solved_at", "closed_at",
                       "reopen_count", "public_reply_count", "waiting_since")
    filter_horizontal = ("tags",)

    def get_search_results(self, request, queryset, search_term):
        # The same search as the agents' queue: GIN-indexed full text on PostgreSQL,
        # a reference goes straight to its ticket.
        return search.filter_tickets(queryset, search_term), False

    @admin.display(description=_("reference"), ordering="pk")
    def reference(self, obj: Ticket) -> str:
        return obj.reference


@admin.register(Message)
class MessageAdmin(LargeTableAdmin):
    list_display = ("pk", "ticket_id", "author_type", "author_user", "author_customer", "public",
                    "channel", "created_at")
    list_filter = ("author_type", "public", "channel", "is_automatic")
    search_fields = ("=ticket__id", "=email_message_id")
    list_select_related = ("author_user", "author_customer")
    raw_id_fields = ("ticket", "author_user", "author_customer")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body_html", "quoted_text", "references")


@admin.register(Attachment)
class AttachmentAdmin(LargeTableAdmin):
    list_display = ("filename", "content_type", "size", "inline", "message")
    list_filter = ("inline",)
    search_fields = ("filename", "=message__ticket__id")
    list_select_related = ("message",)
    raw_id_fields = ("message",)
    # The file is reached only through the checked route that serves it safely, never by
    # its raw media URL (the file widget would link there).
    exclude = ("file",)
    readonly_fields = ("download",)

    @admin.display(description=_("file"))
    def download(self, obj: Attachment) -> str:
        if not obj.pk:
            return "-"
        return format_html('<a href="{}">{}</a>', reverse("tickets:attachment", args=[obj.pk]),
                           obj.filename)

    def has_add_permission(self, request) -> bool:
        return False  # attachments arrive with messages, never on their own


class EventFieldFilter(admin.SimpleListFilter):
    """Fixed choices: the default filter would run SELECT DISTINCT over millions of events."""

    title = _("what")
    parameter_name = "field"
    FIELDS = ("created", "status", "assignee", "team", "priority", "tags", "reply", "note",
              "merged_into", "merged_from", "follows_up")

    def lookups(self, request, model_admin):
        return [(name, name) for name in self.FIELDS]

    def queryset(self, request, queryset):
        return queryset.filter(field=self.value()) if self.value() else queryset


@admin.register(TicketEvent)
class TicketEventAdmin(LargeTableAdmin):
    """The audit trail is read-only: only the services write it."""

    list_display = ("created_at", "ticket_id", "field", "old_value", "new_value", "actor",
                    "actor_customer")
    list_filter = (EventFieldFilter,)
    search_fields = ("=ticket__id",)
    list_select_related = ("actor", "actor_customer")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ("title", "team", "created_by", "updated_at")
    list_filter = ("team",)
    search_fields = ("title", "body")
    list_select_related = ("team", "created_by")
    raw_id_fields = ("created_by",)


@admin.register(SavedFilter)
class SavedFilterAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "query", "position")
    search_fields = ("name", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
