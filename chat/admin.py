from django.contrib import admin

from .models import AgentChatSettings


@admin.register(AgentChatSettings)
class AgentChatSettingsAdmin(admin.ModelAdmin):
    list_display = ["agent", "capacity"]
    list_select_related = ["agent"]
    raw_id_fields = ["agent"]
