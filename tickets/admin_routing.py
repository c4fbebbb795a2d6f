"""Admin for where new tickets go: the default team per channel and per receiving address."""

from django.contrib import admin

from .models import ChannelDefault, ReceivingAddress


@admin.register(ChannelDefault)
class ChannelDefaultAdmin(admin.ModelAdmin):
    list_display = ("channel_label", "team")
    list_editable = ("team",)
    list_display_links = ("channel_label",)
    list_select_related = ("team",)

    @admin.display(description=ChannelDefault._meta.get_field("channel").verbose_name,
                   ordering="channel")
    def channel_label(self, obj: ChannelDefault) -> str:
        return obj.get_channel_display()


@admin.register(ReceivingAddress)
class ReceivingAddressAdmin(admin.ModelAdmin):
    list_display = ("address", "team")
    list_editable = ("team",)
    list_select_related = ("team",)
    search_fields = ("address",)
