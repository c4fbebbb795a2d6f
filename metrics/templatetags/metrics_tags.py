from urllib.parse import urlencode

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """Business seconds as '3 h 20 min' (or '—' when there is no figure)."""
    if seconds is None or seconds == "":
        return "—"
    minutes = int(round(float(seconds) / 60))
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return _("%(d)d d %(h)d h") % {"d": hours // 24, "h": hours % 24}


@register.filter
def number(value, unit: str = "") -> str:
    if value is None or value == "":
        return "—"
    # The page language's decimal separator (Finnish: a comma), as every figure.
    return f"{number_format(value, use_l10n=True)}{unit}"


@register.filter
def signed(value) -> str:
    if value is None:
        return ""
    text = number_format(value, use_l10n=True)
    return f"+{text}" if value > 0 else text


@register.simple_tag
def preset_query(params: dict, days: int) -> str:
    """A period preset's query string: the other filters kept, the dates replaced."""
    kept = {k: v for k, v in params.items() if k not in ("from", "to", "days")}
    return urlencode({**kept, "days": days})


@register.simple_tag
def query(params: dict, **extra) -> str:
    """The query string of the current filters with some keys replaced."""
    merged = {**params, **{k: v for k, v in extra.items() if v not in (None, "")}}
    return urlencode(merged)


@register.simple_tag
def metric_rates():
    """The Rates of metrics/definitions.py, for the tables' columns ({% metric_rates as rates %})."""
    from metrics.definitions import RATES

    return RATES


@register.filter
def get(mapping, key):
    """``mapping[key]`` for a key held in a variable (a rate's field); None when absent."""
    return mapping.get(key) if isinstance(mapping, dict) else None
