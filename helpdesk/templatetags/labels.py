"""Codes shown to people as their translated labels.

``{{ r.channel|label:"channel" }}`` shows "Verkkolomake", never "web"; a code the
vocabulary does not know is shown as it is (docs/pages.md). The vocabularies are registered
by the apps that own them (``register_vocabulary`` in their ``AppConfig.ready``), so the
infrastructure imports no feature app.
"""

from __future__ import annotations

from collections.abc import Mapping

from django import template

register = template.Library()

_VOCABULARIES: dict[str, Mapping[str, str]] = {}


def register_vocabulary(name: str, labels: Mapping[str, str]) -> None:
    """``labels``: code → (lazy) label, e.g. ``dict(SomeChoices.choices)``."""
    _VOCABULARIES[name] = labels


def vocabularies() -> dict[str, Mapping[str, str]]:
    return _VOCABULARIES


@register.filter
def label(code, vocabulary: str) -> str:
    if code in (None, ""):
        return ""
    return str(_VOCABULARIES[vocabulary].get(str(code), code))


@register.filter
def labels(codes, vocabulary: str) -> str:
    """A list of codes as their labels, comma separated."""
    return ", ".join(label(code, vocabulary) for code in codes or ())
