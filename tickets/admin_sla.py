"""Admin for SLA settings: calendars (with their hours and holidays), policies, and
each ticket's SLA clocks read-only (only the services move clocks)."""

from django import forms
from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from .admin_widgets import HoursMinutesField, holidays_to_apply
from .models import (
    BusinessCalendar,
    Channel,
    CustomHoliday,
    Organization,
    SLAPolicy,
    Ticket,
    TicketSLA,
    WorkingInterval,
)


class SLAPolicyForm(forms.ModelForm):
    """Checkboxes for the condition lists instead of raw JSON; none ticked matches any."""

    priorities = forms.MultipleChoiceField(
        label=_("Priorities"), choices=Ticket.Priority.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: any priority."))
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=Channel.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: any channel."))
    tiers = forms.MultipleChoiceField(
        label=_("Organization tiers"), choices=Organization.Tier.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: any tier."))
    # Targets typed as hours and minutes; the model keeps business minutes.
    first_response_minutes = HoursMinutesField(
        label=_("First response target"), help_text=_("Business time. Empty: no target."))
    next_response_minutes = HoursMinutesField(
        label=_("Next response target"), help_text=_("Business time. Empty: no target."))
    resolution_minutes = HoursMinutesField(
        label=_("Resolution target"), help_text=_("Business time. Empty: no target."))

    class Meta:
        model = SLAPolicy
        fields = ["name", "position", "active", "priorities", "channels", "tiers", "teams",
                  "first_response_minutes", "next_response_minutes", "resolution_minutes",
                  "calendar", "pause_on_hold", "warn_at_percent"]


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
    readonly_fields = ["holidays_applied"]

    @admin.display(description=_("Holidays it applies (this year and next)"))
    def holidays_applied(self, obj: BusinessCalendar) -> str:
        try:
            rows, error = holidays_to_apply(obj), ""
        except NotImplementedError:  # the holidays package does not know the code
            rows, error = [], _("The holidays package has no country or subdivision "
                                "with these codes: only this calendar's own dates apply.")
        return render_to_string("admin/tickets/calendar_holidays.html",
                                {"rows": rows, "error": error})


@admin.register(SLAPolicy)
class SLAPolicyAdmin(admin.ModelAdmin):
    form = SLAPolicyForm
    list_display = ["name", "position", "active", "conditions", "first_response_minutes",
                    "next_response_minutes", "resolution_minutes", "calendar"]
    list_editable = ["position", "active"]
    list_filter = ["active", "calendar"]
    list_select_related = ["calendar"]
    filter_horizontal = ["teams"]
    ordering = ["position", "pk"]

    @admin.display(description=_("conditions"))
    def conditions(self, obj: SLAPolicy) -> str:
        parts = [*obj.priorities, *obj.channels, *obj.tiers]
        return ", ".join(parts) or _("any ticket")


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
