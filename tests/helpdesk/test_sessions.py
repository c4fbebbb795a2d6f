"""Sessions read from the cache, kept in the database (helpdesk/sessions.py), and the
password backend's prepared read of the signed-in user (helpdesk/auth_views.py)."""

import importlib
import time

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.contrib.sessions.models import Session
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpdesk import cache as safe_cache
from helpdesk import sessions
from helpdesk.auth_views import PASSWORD_BACKEND, PasswordBackend
from tests.resilience.test_redis_down import redis_down  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _stored(data: dict) -> sessions.SessionStore:
    store = sessions.SessionStore()
    store.update(data)
    store.save(must_create=True)
    return store


def test_a_saved_session_is_read_from_the_cache_without_a_query():
    key = _stored({"colour": "teal"}).session_key
    with CaptureQueriesContext(connection) as queries:
        assert sessions.SessionStore(key).load() == {"colour": "teal"}
    assert len(queries) == 0
    assert Session.objects.get(session_key=key).get_decoded() == {"colour": "teal"}


def test_a_session_missing_from_the_cache_is_read_from_the_database_and_cached_again():
    key = _stored({"colour": "teal"}).session_key
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert sessions.SessionStore(key).load() == {"colour": "teal"}
    assert len(queries) == 1
    assert cache.get(sessions.KEY_PREFIX + key) == {"colour": "teal"}


def test_the_cached_copy_lives_for_minutes_not_for_the_sessions_age(settings):
    settings.SESSION_COOKIE_AGE = 14 * 24 * 3600
    key = cache.make_key(_stored({"colour": "teal"}).cache_key)
    backend = caches["default"]
    if isinstance(backend, safe_cache.RedisCache):
        left = backend._cache.get_client(key).ttl(key)
    else:  # LocMemCache keeps each key's expiry time
        left = backend._expire_info[key] - time.time()
    assert sessions.CACHE_SECONDS - 5 < left <= sessions.CACHE_SECONDS


def test_signing_out_removes_the_row_and_the_cached_copy(client, agent):
    client.force_login(agent)
    key = client.session.session_key
    assert cache.get(sessions.KEY_PREFIX + key) is not None
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert cache.get(sessions.KEY_PREFIX + key) is None
    assert sessions.SessionStore(key).load() == {}


def test_a_session_key_is_taken_only_if_the_database_has_it():
    key = _stored({"a": 1}).session_key
    Session.objects.filter(session_key=key).delete()
    assert not sessions.SessionStore().exists(key)


def test_with_redis_down_sessions_live_in_the_database(redis_down, client, agent):  # noqa: F811
    client.force_login(agent)
    assert client.get(reverse("tickets:queue")).status_code == 200
    key = client.session.session_key
    assert Session.objects.get(session_key=key).get_decoded()[SESSION_KEY] == str(agent.pk)
    assert not safe_cache.available()  # the first failure sent the process to the database
    assert client.get(reverse("tickets:settings")).status_code == 200
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_signing_in_with_a_password_names_the_password_backend(client, agent):
    agent.set_password("a long passphrase 42")
    agent.save()
    response = client.post(reverse("login"), {"username": agent.email,
                                              "password": "a long passphrase 42"})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == PASSWORD_BACKEND
    assert client.get(reverse("tickets:queue")).context["user"] == agent


def test_the_password_backend_reads_the_user_and_refuses_an_inactive_one(agent):
    backend = PasswordBackend()
    assert backend.get_user(agent.pk) == agent
    assert backend.get_user(str(agent.pk)).email == agent.email
    assert backend.get_user(agent.pk + 1000) is None
    assert backend.get_user("not a number") is None
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    assert backend.get_user(agent.pk) is None


def test_a_deactivated_agent_is_signed_out_on_the_next_request(client, agent):
    client.force_login(agent)
    assert client.get(reverse("tickets:queue")).status_code == 200
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    response = client.get(reverse("tickets:queue"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_upgrade_moves_model_backend_sessions_to_the_password_backend(agent):
    migration = importlib.import_module("helpdesk.migrations.0008_sessions_password_backend")
    old = DatabaseStore()
    old.update({SESSION_KEY: str(agent.pk), BACKEND_SESSION_KEY: migration.OLD})
    old.create()
    other = DatabaseStore()
    other.update({BACKEND_SESSION_KEY: "identity.sso.HelpdeskOIDCBackend"})
    other.create()
    from django.apps import apps

    migration.rename(apps, None)
    assert DatabaseStore(old.session_key).load()[BACKEND_SESSION_KEY] == PASSWORD_BACKEND
    assert DatabaseStore(old.session_key).load()[SESSION_KEY] == str(agent.pk)
    assert (DatabaseStore(other.session_key).load()[BACKEND_SESSION_KEY]
            == "identity.sso.HelpdeskOIDCBackend")
    migration.rename_back(apps, None)
    assert DatabaseStore(old.session_key).load()[BACKEND_SESSION_KEY] == migration.OLD
