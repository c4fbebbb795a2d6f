"""Named API tokens: several per user, read-only or read-write, shown once, stored
hashed, listed with their last use, revocable; old DRF tokens keep working."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import Action, AuditEntry
from identity.models import ApiToken, digest_key
from identity.tokens import create_api_token


def api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_token_is_shown_once_and_stored_hashed(client, agent):
    client.force_login(agent)
    page = client.post("/settings/api-tokens/", {"name": "CRM sync", "scope": "write"})
    assert page.status_code == 200
    key = re.search(r'class="secret token-key">([0-9a-f]{40})<', page.content.decode()).group(1)
    token = ApiToken.objects.get(user=agent)
    assert token.key_digest == digest_key(key) and key not in str(token.__dict__)
    assert (token.name, token.scope, token.prefix) == ("CRM sync", "write", key[:8])
    assert key not in client.get("/settings/").content.decode()  # never shown again
    assert AuditEntry.objects.filter(action=Action.TOKEN_CREATED, actor=agent).count() == 1


def test_a_token_without_a_name_is_refused_inline(client, agent):
    client.force_login(agent)
    page = client.post("/settings/api-tokens/", {"name": " ", "scope": "read"})
    assert page.status_code == 400 and b"This field is required." in page.content
    assert not ApiToken.objects.exists()


def test_several_tokens_are_listed_with_last_use(client, agent, ticket):
    _, used = create_api_token(user=agent, name="Reporting", scope="read")
    create_api_token(user=agent, name="Unused")
    assert api(used).get("/api/v1/tickets/").status_code == 200
    client.force_login(agent)
    page = client.get("/settings/").content.decode()
    assert "Reporting" in page and "Unused" in page and "Never" in page
    assert ApiToken.objects.get(name="Reporting").last_used_at is not None


def test_last_use_is_written_at_most_once_a_minute(agent):
    _, key = create_api_token(user=agent, name="Busy")
    client = api(key)
    client.get("/api/v1/agents/me/")
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    client.get("/api/v1/agents/me/")
    assert ApiToken.objects.get().last_used_at == first


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/api/v1/tickets/", {"subject": "x", "body": "y", "channel": "api",
                                  "customer": {"email": "c@example.com"}}),
    ("patch", "/api/v1/tickets/{id}/", {"priority": "high"}),
    ("post", "/api/v1/tickets/{id}/messages/", {"body": "hi", "public": False}),
    ("patch", "/api/v1/agents/me/", {"availability": "away"}),
])
def test_read_only_token_reads_but_never_writes(agent, ticket, method, path, body):
    _, key = create_api_token(user=agent, name="Dashboards", scope="read")
    client = api(key)
    assert client.get("/api/v1/tickets/").status_code == 200
    assert client.get(f"/api/v1/tickets/{ticket.pk}/messages/").status_code == 200
    response = getattr(client, method)(path.format(id=ticket.pk), body, format="json")
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    ticket.refresh_from_db()
    assert ticket.priority != "high" and ticket.messages.count() == 1


def test_read_write_token_writes(agent, ticket):
    _, key = create_api_token(user=agent, name="Sync", scope="write")
    response = api(key).patch(f"/api/v1/tickets/{ticket.pk}/", {"priority": "high"},
                              format="json")
    assert response.status_code == 200 and response.json()["priority"] == "high"


def test_revoked_token_is_refused(client, agent):
    token, key = create_api_token(user=agent, name="Old")
    assert api(key).get("/api/v1/agents/me/").status_code == 200
    client.force_login(agent)
    assert client.post(f"/settings/api-tokens/{token.pk}/revoke/").status_code == 302
    assert api(key).get("/api/v1/agents/me/").status_code == 401
    assert AuditEntry.objects.filter(action=Action.TOKEN_REVOKED).count() == 1


def test_nobody_revokes_another_users_token(client, agent, other_agent):
    token, key = create_api_token(user=other_agent, name="Theirs")
    client.force_login(agent)
    assert client.post(f"/settings/api-tokens/{token.pk}/revoke/").status_code == 404
    assert api(key).get("/api/v1/agents/me/").status_code == 200


def test_inactive_users_token_is_refused(agent):
    _, key = create_api_token(user=agent, name="Sync")
    agent.is_active = False
    agent.save()
    assert api(key).get("/api/v1/agents/me/").status_code == 401


def test_unknown_token_is_refused(db):
    assert api("0" * 40).get("/api/v1/tickets/").status_code == 401


def test_settings_page_query_count_does_not_grow_with_tokens(client, agent,
                                                             django_assert_max_num_queries):
    client.force_login(agent)
    for i in range(2):
        create_api_token(user=agent, name=f"t{i}")
    with django_assert_max_num_queries(12) as few:
        client.get("/settings/")
    for i in range(20):
        create_api_token(user=agent, name=f"more{i}", scope="read")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/settings/").status_code == 200


@pytest.mark.django_db
def test_existing_drf_tokens_move_over_with_the_same_key(agent):
    """The data migration's function, run on a DRF token made the old way."""
    from importlib import import_module

    from django.apps import apps
    from rest_framework.authtoken.models import Token

    legacy = Token.objects.create(user=agent)
    legacy.created = timezone.now() - timedelta(days=30)
    legacy.save()
    import_module("identity.migrations.0002_move_drf_tokens").move_tokens(apps, None)
    assert not Token.objects.exists()  # no clear-text key left behind
    moved = ApiToken.objects.get(user=agent)
    assert (moved.scope, moved.prefix) == ("write", legacy.key[:8])
    assert api(legacy.key).get("/api/v1/agents/me/").status_code == 200


def _api_routes() -> list[str]:
    """Every route under /api/v1/, with its path parameters filled in with 1."""
    import re as _re

    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                yield route

    routes = []
    for route in walk(get_resolver().url_patterns, "/"):
        if route.startswith("/api/v1/"):
            routes.append(_re.sub(r"<(?:[a-z]+:)?\w+>", "1", route.lstrip("^").rstrip("$")))
    return sorted(set(routes))


def test_the_route_list_is_not_empty():
    routes = _api_routes()
    assert "/api/v1/tickets/" in routes and "/api/v1/customers/1/erase/" in routes
    assert len(routes) > 25


# Routes that take no API token at all: their senders sign each request themselves.
NO_TOKEN = {"/api/v1/intake/1/": "channel intake, signed per request (tickets/api/intake.py)"}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_read_only_token_writes_nowhere_in_the_api(agent, admin_user, method):
    """Every route under /api/v1/ (the URL conf walked, so a new endpoint is in), every
    unsafe method: 403 with the read-only message, even for an admin's token."""
    from django.urls import resolve

    _, key = create_api_token(user=admin_user, name="Reporting", scope="read")
    client = api(key)
    wrong = {}
    for route in NO_TOKEN:
        assert resolve(route).func.view_class.authentication_classes == []
    for route in sorted(set(_api_routes()) - set(NO_TOKEN)):
        response = getattr(client, method)(route, {}, format="json")
        detail = response.json().get("detail", "") if response.get("Content-Type", "").startswith(
            "application/json") else ""
        if response.status_code != 403 or "read-only" not in str(detail):
            wrong[route] = (response.status_code, str(detail)[:80])
    assert wrong == {}
