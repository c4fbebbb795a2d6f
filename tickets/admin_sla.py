"""Admin for SLA settings: calendars (with their hours and holidays), policies, and
each ticket's SLA clocks read-only (only the services move clocks)."""

from django.contrib import admin

from .models import BusinessCalendar, CustomHoliday, SLAPolicy, TicketSLA, WorkingInterval


class WorkingIntervalInline(admin.TabularInline):
    model = WorkingInterval
    extra = 0


class CustomHolidayInline(admin.TabularInline):
    model = CustomHoliday
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "holiday_country", "holiday_subdivision", "is_default"]
    inlines = [WorkingIntervalInline, CustomHolidayInline]


@admin.register(SLAPolicy)
class SLAPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "active", "priorities", "channels", "tiers",
                    "first_response_minutes", "next_response_minutes", "resolution_minutes",
                    "calendar"]
    list_editable = ["position", "active"]
    list_filter = ["active", "calendar"]
    list_select_related = ["calendar"]
    filter_horizontal = ["teams"]
    ordering = ["position", "pk"]


@admin.register(TicketSLA)
class TicketSLAAdmin(admin.ModelAdmin):
    list_display = ["ticket", "policy", "first_response_due_at", "resolution_due_at",
                    "first_response_breached", "next_response_breached", "resolution_breached"]
    list_filter = ["first_response_breached", "next_response_breached", "resolution_breached",
                   "policy"]
    list_select_related = ["ticket", "policy"]
    search_fields = ["ticket__id", "ticket__subject"]
    show_full_result_count = False  # no COUNT(*) over millions of rows

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
