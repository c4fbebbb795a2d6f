"""The strict environment readers: a malformed value fails at start, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from helpdesk import env

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("0", False), ("", True),
                                               ("YES", True), ("off", False)])
def test_env_bool_reads_booleans(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env.env_bool("SOME_FLAG", True) is expected


def test_env_bool_names_the_variable(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env.env_bool("SOME_FLAG", False)


def test_env_int_names_the_variable(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env.env_int("SOME_NUMBER", 1)


def test_env_int_enforces_the_minimum(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env.env_int("SOME_NUMBER", 1, minimum=1)


def test_env_int_reads_and_defaults(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "42")
    assert env.env_int("SOME_NUMBER", 1) == 42
    monkeypatch.delenv("SOME_NUMBER")
    assert env.env_int("SOME_NUMBER", 7) == 7


@pytest.mark.parametrize("raw", ["mysql://db/x", "not a url", "postgres://"])
def test_env_url_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv("SOME_URL", raw)
    with pytest.raises(ImproperlyConfigured, match="SOME_URL"):
        env.env_url("SOME_URL", schemes=("postgres", "sqlite"))


def test_env_url_accepts_a_good_url(monkeypatch):
    monkeypatch.setenv("SOME_URL", "postgres://u@db:5432/x")
    assert env.env_url("SOME_URL", schemes=("postgres",)) == "postgres://u@db:5432/x"


def test_env_choice_names_the_variable(monkeypatch):
    monkeypatch.setenv("LANGUAGE_CODE", "sv")
    with pytest.raises(ImproperlyConfigured, match="LANGUAGE_CODE"):
        env.env_choice("LANGUAGE_CODE", "en", ("en", "fi"))


def test_env_email_names_the_variable(monkeypatch):
    monkeypatch.setenv("DEFAULT_FROM_EMAIL", "Support <nobody>")
    with pytest.raises(ImproperlyConfigured, match="DEFAULT_FROM_EMAIL"):
        env.env_email("DEFAULT_FROM_EMAIL", "a@b.fi")


def test_env_timezone_names_the_variable(monkeypatch):
    monkeypatch.setenv("TIME_ZONE", "Mars/Olympus")
    with pytest.raises(ImproperlyConfigured, match="TIME_ZONE"):
        env.env_timezone("TIME_ZONE", "UTC")


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " a.fi, b.fi ,,")
    assert env.env_list("ALLOWED_HOSTS", []) == ["a.fi", "b.fi"]


def test_start_fails_naming_a_malformed_variable():
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    environ.update(DEBUG="maybe", DJANGO_SETTINGS_MODULE="helpdesk.settings")
    result = subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEBUG must be a boolean" in result.stderr


@pytest.mark.parametrize(("redis_url", "engine"), [
    ("redis://127.0.0.1:6379/0", "helpdesk.sessions"),
    ("", "django.contrib.sessions.backends.db"),
])
def test_sessions_go_through_the_cache_only_when_it_is_shared(redis_url, engine):
    """Without Redis, each process's cache is its own: sessions stay in the database."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    environ.update(REDIS_URL=redis_url, DJANGO_SETTINGS_MODULE="helpdesk.settings")
    result = subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "-c", "import django; django.setup(); "
         "from django.conf import settings; print(settings.SESSION_ENGINE)"],
        cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60,
    )
    assert result.stdout.strip() == engine, result.stderr
