from django.contrib import admin

from .models import Rule, RuleFiring


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    """Read-mostly: managers edit rules on their own page (rules:list), which validates
    them; the admin is for looking and switching on or off."""

    list_display = ["name", "kind", "position", "active", "system_key", "updated_at"]
    list_filter = ["kind", "active"]
    list_editable = ["active"]
    search_fields = ["name"]
    readonly_fields = ["events", "conditions", "actions", "system_key", "created_by", "updated_by",
                       "created_at", "updated_at"]


@admin.register(RuleFiring)
class RuleFiringAdmin(admin.ModelAdmin):
    list_display = ["rule", "ticket", "fired_at"]
    list_select_related = ["rule"]
    raw_id_fields = ["ticket"]
