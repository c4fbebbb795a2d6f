"""The staff top bar, rendered once per process per user, language and section
(helpdesk/topbar.py): what each page shows must be what rendering it afresh shows."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from helpdesk import topbar

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_bars_kept():
    topbar._bars.clear()
    yield
    topbar._bars.clear()


def _bar(response) -> str:
    html = response.content.decode()
    return html[html.index('<header class="topbar">'):html.index("</header>")]


def _tokens(bar: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', bar))


def test_the_bar_is_kept_and_each_page_gets_its_own_token_and_return_address(client, agent):
    client.force_login(agent)
    first = _bar(client.get(reverse("tickets:queue")))
    second = _bar(client.get(reverse("tickets:search") + "?q=a%22b"))
    assert len(topbar._bars) == 2  # the queue and the search page are two sections
    client.get(reverse("tickets:queue") + "?view=open")
    assert len(topbar._bars) == 2  # the same section again: the kept bar
    assert topbar._TOKEN not in first and topbar._NEXT not in first
    assert len(_tokens(first)) == 1 and len(_tokens(second)) == 1
    assert 'name="next" value="/search/?q=a%22b"' in second
    assert 'value="a&quot;b"' in second  # the search words, escaped
    assert 'href="/" aria-current="page">' in first
    assert 'href="/search/" aria-current="page">' in second


def test_the_kept_bars_token_signs_a_form_post(agent):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(agent)
    strict.get(reverse("tickets:queue"))  # the bar is rendered and kept
    bar = _bar(strict.get(reverse("tickets:settings")))
    token = _tokens(bar).pop()
    response = strict.post(reverse("tickets:availability"),
                           {"availability": "away", "csrfmiddlewaretoken": token, "next": "/"})
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.availability == "away"
    refused = strict.post(reverse("tickets:availability"),
                          {"availability": "offline", "csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403


def test_each_user_gets_their_own_bar(client, agent, manager):
    client.force_login(agent)
    as_agent = _bar(client.get(reverse("tickets:queue")))
    client.force_login(manager)
    as_manager = _bar(client.get(reverse("tickets:queue")))
    assert f"Sign out {agent.get_short_name()}" in as_agent
    assert f"Sign out {manager.get_short_name()}" in as_manager
    dashboard = f'href="{reverse("metrics:dashboard")}"'
    assert dashboard not in as_agent and dashboard in as_manager


def test_a_change_of_name_availability_role_or_language_shows_at_once(client, agent):
    client.force_login(agent)
    assert "Sign out" in _bar(client.get(reverse("tickets:queue")))
    agent.name = "Renamed Person"
    agent.availability = "away"
    agent.save()
    bar = _bar(client.get(reverse("tickets:queue")))
    assert "Sign out Renamed" in bar
    assert '<option value="away" selected>' in bar
    agent.role = agent.Role.MANAGER
    agent.save()
    assert f'href="{reverse("rules:list")}"' in _bar(client.get(reverse("tickets:queue")))
    agent.language = "fi"
    agent.save()
    finnish = _bar(client.get(reverse("tickets:queue")))
    assert "Kirjaudu ulos (Renamed" in finnish and 'value="fi" lang="fi"\n' in finnish


def test_a_kept_bar_equals_a_fresh_rendering(client, agent, settings):
    client.force_login(agent)
    url = reverse("tickets:macro_list")
    client.get(url)
    kept = _bar(client.get(url))
    topbar._bars.clear()
    fresh = _bar(client.get(url))
    strip = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"')
    assert strip.sub(r"\1", kept) == strip.sub(r"\1", fresh)
    assert 'href="/macros/" aria-current="page">' in kept


def test_the_process_keeps_a_bounded_number_of_bars(client, agent, monkeypatch):
    monkeypatch.setattr(topbar, "KEEP", 2)
    client.force_login(agent)
    for path in ("/", "/search/", "/macros/"):
        client.get(path)
    assert len(topbar._bars) <= 2
