from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = _("Helpdesk")

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (registers checks, connects the ESP tracking receiver)
        from .i18n_tags import install

        install()  # {% translate "…" %} rendered once per language (helpdesk/i18n_tags.py)
