"""``{% translate "literal" %}`` rendered once per language instead of on every use.

A page renders dozens of constant ``{% translate %}`` tags (the ticket page 64), and
Django makes each one a lazy translation, then resolves, localizes and escapes it again
on every request: about 1.5 ms of the ticket page's 9–10 ms of CPU (docs/performance.md,
"The ticket page"). The output of a tag whose message (and context) is a literal
depends only on the active language and on whether the template autoescapes, so each
such tag keeps its output per (language, autoescape) after its first rendering; any
other use (a variable, a filter, ``as name``) renders as Django's does.

Templates keep writing ``{% load i18n %}``: ``install`` (called by the helpdesk app's
``ready``, before any template is compiled) makes Django's own i18n library build
these nodes for ``translate`` and ``trans``; its other tags and filters are untouched.
(Mapping the name ``i18n`` to a library of our own in the template settings would do
the same, but Django's checks rightly warn about two libraries of one name.)
"""

from __future__ import annotations

from django.template.base import FilterExpression, Variable
from django.templatetags import i18n as django_i18n
from django.utils import translation


class TranslatedOnce(django_i18n.TranslateNode):
    """A ``TranslateNode`` whose constant output is kept per language and autoescape."""

    _rendered: dict[tuple[str | None, bool], str]
    _constant: bool  # decided once, when the tag is compiled

    def render(self, context):
        if not self._constant:
            return super().render(context)
        key = (translation.get_language(), bool(context.autoescape))
        found = self._rendered.get(key)
        if found is None:
            found = self._rendered[key] = super().render(context)
        return found

    def _is_constant(self) -> bool:
        expression, message_context = self.filter_expression, self.message_context
        if self.asvar or expression.filters:
            return False
        if not isinstance(expression.var, Variable) or expression.var.lookups is not None:
            return False
        return message_context is None or (
            isinstance(message_context, FilterExpression) and not message_context.filters
            and isinstance(message_context.var, str))


def do_translate(parser, token) -> TranslatedOnce:
    """Django's ``{% translate %}``, compiled to a ``TranslatedOnce``."""
    node = django_i18n.do_translate(parser, token)
    node.__class__ = TranslatedOnce
    node._rendered = {}
    node._constant = node._is_constant()
    return node


def install() -> None:
    """Django's i18n library compiles ``translate`` and ``trans`` with ``do_translate``."""
    django_i18n.register.tags["translate"] = django_i18n.register.tags["trans"] = do_translate
