"""Period presets keep the other filters; a refused period is an inline error on the page;
the weekly digest has an HTML version and a preview page."""

import re
from html import unescape

import pytest
from django.db import connection
from django.urls import reverse

from helpdesk.models import OutboundEmail, User
from metrics import digest
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("metrics:dashboard")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def preset_links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'<a href="([^"]+)" class="preset', html)]


def test_presets_keep_channel_team_agent_tier_and_priority(manager_client):
    team, agent = TeamFactory(), UserFactory()
    query = (f"?from=2026-01-01&to=2026-01-31&channel=chat&team={team.pk}&agent={agent.pk}"
             "&tier=premium&priority=high")
    links = preset_links(manager_client.get(DASHBOARD + query).content.decode())
    assert len(links) == 4
    for link in links:
        params = dict(pair.split("=") for pair in link.lstrip("?").split("&"))
        assert params == {"channel": "chat", "team": str(team.pk), "agent": str(agent.pk),
                          "tier": "premium", "priority": "high", "days": params["days"]}
    # and following one keeps them
    page = manager_client.get(DASHBOARD + links[0])
    assert page.context["filters"].channel == "chat" and page.context["filters"].days == 7


@pytest.mark.parametrize("url", [DASHBOARD, reverse("metrics:churn")])
def test_from_after_to_is_an_error_beside_the_form_not_a_bare_page(manager_client, url):
    response = manager_client.get(url + "?from=2026-03-10&to=2026-03-01&channel=email")
    html = response.content.decode()
    assert response.status_code == 400
    assert '<link rel="stylesheet"' in html  # the styled page, with its navigation
    assert 'role="alert"' in html and "The start date must not be after the end date." in html
    assert 'value="2026-03-10"' in html and 'aria-invalid="true"' in html  # what was typed
    assert response.context["filters"].channel == "email"  # the other filters kept


def test_agent_dashboard_shows_a_bad_period_inline(client, agent):
    client.force_login(agent)
    response = client.get(reverse("metrics:agent_dashboard") + "?from=2026-03-10&to=2026-03-01")
    assert response.status_code == 400
    assert "The start date must not be after the end date." in response.content.decode()


def test_a_bad_date_in_finnish(manager_client, manager):
    User.objects.filter(pk=manager.pk).update(language="fi")
    response = manager_client.get(DASHBOARD + "?from=2026-03-10&to=2026-03-01",
                                  HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_the_digest_email_has_an_html_version(manager):
    assert digest.send_weekly_digest() == 1
    email = OutboundEmail.objects.get(kind="metrics_digest")
    assert email.body_text and "<table" in email.body_html
    assert "Open the dashboard" in email.body_html
    assert "http://" in email.body_html  # absolute links: mail clients have no base URL
    # every figure in it links to the rows behind it
    assert email.body_html.count("view=all&amp;counted=1") >= 4


def test_digest_html_in_the_managers_language(manager):
    User.objects.filter(pk=manager.pk).update(language="fi")
    digest.send_weekly_digest()
    email = OutboundEmail.objects.get(kind="metrics_digest")
    assert 'lang="fi"' in email.body_html


def test_digest_preview_page(manager_client):
    page = manager_client.get(reverse("metrics:digest_preview"))
    assert page.status_code == 200
    assert "Weekly support digest" in page.content.decode()
    document = manager_client.get(reverse("metrics:digest_preview") + "?format=html&lang=fi")
    assert document.status_code == 200 and 'lang="fi"' in document.content.decode()
    assert "frame-ancestors 'self'" in document["Content-Security-Policy"]
    assert not OutboundEmail.objects.exists()  # a preview sends nothing


def test_digest_preview_is_for_managers(client, agent):
    client.force_login(agent)
    assert client.get(reverse("metrics:digest_preview")).status_code == 403


def test_digest_preference_page_links_to_the_preview(manager_client):
    page = manager_client.get(reverse("metrics:digest_preference"))
    assert reverse("metrics:digest_preview") in page.content.decode()


def test_digest_preview_query_count(manager_client, django_assert_num_queries):
    url = reverse("metrics:digest_preview")
    manager_client.get(url)
    # the digest's figures (a fixed number of aggregate queries) and the recipients count,
    # not a query per team, agent or ticket
    TeamFactory.create_batch(5)
    # PostgreSQL's percentile_cont needs no extra window-function queries SQLite does
    with django_assert_num_queries(11 if connection.vendor == "postgresql" else 17):
        assert manager_client.get(url).status_code == 200
