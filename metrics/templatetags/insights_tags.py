"""Numbers of the insight pages in the reader's language (decimal comma in Finnish)."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def dec(value, digits: int = 1) -> str:
    """A number with ``digits`` decimals, localized; an em dash when there is none."""
    if value is None or value == "":
        return "—"
    return number_format(round(float(value), int(digits)), int(digits), use_l10n=True,
                         force_grouping=True)


@register.filter
def sdec(value, digits: int = 1) -> str:
    """Like dec, with a sign on positive numbers (differences, gains)."""
    text = dec(value, digits)
    return f"+{text}" if value not in (None, "") and round(float(value), int(digits)) > 0 else text


@register.filter
def pct(value, digits: int = 1) -> str:
    """A share 0..1 as a localized percentage."""
    if value is None or value == "":
        return "—"
    return f"{dec(100 * float(value), digits)} %"
