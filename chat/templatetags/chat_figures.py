from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def seconds(value) -> str:
    """A calendar duration for people: "45 s", "3.5 min", "1.2 h" (decimals per language)."""
    if value is None:
        return "—"
    value = float(value)
    if value < 90:
        return _("%(n)s s") % {"n": number_format(round(value))}
    if value < 5400:
        return _("%(n)s min") % {"n": number_format(value / 60, 1)}
    return _("%(n)s h") % {"n": number_format(value / 3600, 1)}
