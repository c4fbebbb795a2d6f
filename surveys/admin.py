from django.contrib import admin

from .forms import SurveyProgramForm
from .models import FollowUp, Invitation, Response, SurveyProgram


@admin.register(SurveyProgram)
class SurveyProgramAdmin(admin.ModelAdmin):
    form = SurveyProgramForm
    list_display = ["name", "metric", "trigger", "delay_minutes", "throttle_days",
                    "reminder_after_hours", "expiry_days", "position", "active"]
    list_editable = ["position", "active"]
    list_filter = ["metric", "trigger", "active"]
    filter_horizontal = ["teams"]
    raw_id_fields = ["followup_fallback"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "metric", "active", "position"]}),
        ("Wording", {"fields": ["question_en", "question_fi", "followup_question_en",
                                "followup_question_fi", "passive_question_en",
                                "passive_question_fi"]}),
        ("Which tickets", {"fields": ["channels", "teams", "tiers"]}),
        ("When", {"fields": ["trigger", "delay_minutes", "throttle_days", "reminder_after_hours",
                             "expiry_days"]}),
        ("Closing the loop", {"fields": ["followup_due_hours", "followup_fallback",
                                         "review_url", "ask_kind", "ask_url"]}),
        # docs/relationship-surveys.md
        ("Relationship waves", {"fields": ["audience", "interval_months", "spread_days"]}),
    ]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["pk", "ticket", "customer", "metric", "status", "skip_reason", "send_after",
                    "sent_at", "expires_at"]
    list_filter = ["status", "skip_reason", "metric"]
    list_select_related = ["ticket", "customer"]
    raw_id_fields = ["ticket", "customer", "program"]
    date_hierarchy = "created_at"


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["pk", "metric", "score", "ticket", "channel", "agent", "team", "created_at"]
    list_filter = ["metric", "channel"]
    list_select_related = ["ticket", "agent", "team"]
    raw_id_fields = ["invitation", "ticket", "customer", "agent", "team", "organization"]
    date_hierarchy = "created_at"


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["pk", "ticket", "assignee", "team", "status", "due_at", "outcome", "closed_at"]
    list_filter = ["status", "outcome"]
    list_select_related = ["ticket", "assignee", "team"]
    raw_id_fields = ["response", "ticket", "assignee", "team", "closed_by"]
