"""``duration``: seconds as people read them ("1 h 05 min", Finnish "1 t 05 min")."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(seconds) -> str:
    if seconds in (None, ""):
        return "—"
    minutes = round(int(seconds) / 60)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return _("%(m)d min") % {"m": minutes}
    return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
