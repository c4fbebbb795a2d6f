"""helpdesk/i18n_tags.py: ``{% load i18n %}`` is Django's library with a constant
``{% translate %}`` kept per language; every output equals Django's own tag's."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from helpdesk.i18n_tags import TranslatedOnce

SOURCES = [
    '{% translate "Send" %}',
    '{% trans "Reply" %}',
    '{% translate "To" context "email recipient" %}',
    '{% translate "Send" noop %}',
    '{% translate "Fish & <chips> 100%% sure" %}',
    '{% translate "Send"|upper %}',
    '{% translate word %}',
    '{% translate "To" context kind %}',
    '{% translate "Send" as label %}[{{ label }}]',
    '{% autoescape off %}{% translate "Fish & <chips>" %}{% endautoescape %}',
]
CONTEXT = {"word": "Reply", "kind": "email recipient"}


def _django(source: str, monkeypatch) -> Template:
    """The same template compiled with Django's own ``translate`` tag."""
    from django.templatetags import i18n

    with monkeypatch.context() as patch:
        patch.setitem(i18n.register.tags, "translate", i18n.do_translate)
        patch.setitem(i18n.register.tags, "trans", i18n.do_translate)
        template = Template("{% load i18n %}" + source)
    assert not any(isinstance(n, TranslatedOnce) for n in template.nodelist)
    return template


@pytest.mark.parametrize("source", SOURCES)
def test_every_use_renders_as_djangos_tag_in_both_languages(source, monkeypatch):
    ours = Template("{% load i18n %}" + source)
    theirs = _django(source, monkeypatch)
    for language in ("en", "fi", "en", "fi"):  # a kept output never leaks into the other
        with translation.override(language):
            expected = theirs.render(Context(CONTEXT))
            assert ours.render(Context(CONTEXT)) == expected
            assert ours.render(Context(CONTEXT)) == expected  # kept, the same


def test_a_literal_is_kept_per_language_and_a_variable_never():
    template = Template('{% load i18n %}{% translate "Send" %}|{% translate word %}')
    literal, variable = template.nodelist[1], template.nodelist[3]
    assert isinstance(literal, TranslatedOnce) and isinstance(variable, TranslatedOnce)
    with translation.override("fi"):
        assert template.render(Context({"word": "Reply"})) == "Lähetä|Vastaa"
        assert template.render(Context({"word": "Send"})) == "Lähetä|Lähetä"
    assert set(literal._rendered) == {("fi", True)}
    assert variable._rendered == {}
    with translation.override("en"):
        assert template.render(Context({"word": "Reply"})) == "Send|Reply"
    assert set(literal._rendered) == {("fi", True), ("en", True)}
