from django.contrib import admin

from .models import AgentChatSettings, TeamChatHours


@admin.register(AgentChatSettings)
class AgentChatSettingsAdmin(admin.ModelAdmin):
    list_display = ["agent", "capacity"]
    list_select_related = ["agent"]
    raw_id_fields = ["agent"]


@admin.register(TeamChatHours)
class TeamChatHoursAdmin(admin.ModelAdmin):
    list_display = ["team", "calendar"]
    list_select_related = ["team", "calendar"]
