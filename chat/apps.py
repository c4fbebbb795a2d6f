from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "chat"
    verbose_name = _("Live chat")

    def ready(self) -> None:
        from tickets import live

        from . import privacy, queries, receivers  # noqa: F401  (receivers; data export section)

        # Messages of a chat in progress reach the customer on the socket, not by email.
        live.register(queries.is_live)
