from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from helpdesk.templatetags.labels import register_vocabulary

        from . import directory, receivers  # noqa: F401  (connect their signals)
        from .models import Channel, Organization, Ticket

        for name, enum in (("channel", Channel), ("status", Ticket.Status),
                           ("priority", Ticket.Priority), ("tier", Organization.Tier)):
            register_vocabulary(name, dict(enum.choices))
