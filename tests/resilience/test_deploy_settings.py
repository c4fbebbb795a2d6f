"""`manage.py check --deploy` is clean in a production environment, and the HTTPS
settings follow SITE_URL unless set explicitly. Each case starts its own interpreter,
since settings are read from the environment once, at start."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "Zq8#vL2@pX9!mN4$wR7^tY1&kJ6*hG3(fD5)sA0-bC8+eF2=uI9~oP4",
    "SITE_URL": "https://helpdesk.example.com",
    "ALLOWED_HOSTS": "helpdesk.example.com",
    "EMAIL_BACKEND": "anymail.backends.mailgun.EmailBackend",
    "ANYMAIL_MAILGUN_API_KEY": "key-test",
    "ANYMAIL_WEBHOOK_SECRET": "hook:long-random-password",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}
SHOWN = ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
         "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
         "SECURE_PROXY_SSL_HEADER", "CSRF_TRUSTED_ORIGINS"]


def _env(tmp_path, **overrides) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SECURE_", "SESSION_", "CSRF_", "ANYMAIL", "DJANGO_"))
           and k not in ("DEBUG", "SITE_URL", "ALLOWED_HOSTS", "EMAIL_BACKEND", "SECRET_KEY")}
    env.update(HELPDESK_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="helpdesk.settings")
    env.update({k: v for k, v in overrides.items() if v is not None})
    return env


def _run(args, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,  # noqa: S603
                          text=True, timeout=120)


def _settings(tmp_path, **overrides) -> dict:
    code = ("import django, json; django.setup(); from django.conf import settings; "
            f"print(json.dumps({{k: getattr(settings, k, None) for k in {SHOWN!r}}}))")
    done = _run(["-c", code], _env(tmp_path, **overrides))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_in_production(tmp_path):
    done = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                _env(tmp_path, **PRODUCTION))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_names_only_the_hsts_opt_ins_when_they_are_left_unset(tmp_path):
    done = _run(["manage.py", "check", "--deploy"],
                _env(tmp_path, **PRODUCTION | {"SECURE_HSTS_INCLUDE_SUBDOMAINS": None,
                                               "SECURE_HSTS_PRELOAD": None}))
    assert done.returncode == 0
    reported = {word.strip("():") for word in done.stderr.split() if word.startswith("(security.")}
    assert reported == {"security.W005", "security.W021"}, done.stderr


def test_https_site_url_turns_on_secure_cookies_hsts_and_the_redirect(tmp_path):
    values = _settings(tmp_path, **PRODUCTION)
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://helpdesk.example.com"]
    assert values["SECURE_PROXY_SSL_HEADER"] is None  # X-Forwarded-Proto is trusted on request


def test_http_site_url_keeps_development_usable(tmp_path):
    values = _settings(tmp_path, SITE_URL="http://127.0.0.1:8000")
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0


def test_explicit_variables_win_over_site_url(tmp_path):
    values = _settings(tmp_path, **PRODUCTION | {
        "SITE_URL": "https://support.example.com/helpdesk", "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "300", "SECURE_PROXY_SSL_HEADER": "true"})
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 300
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://support.example.com"]


@pytest.mark.parametrize("name", ["SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT",
                                  "SECURE_PROXY_SSL_HEADER"])
def test_malformed_values_fail_at_start_naming_the_variable(tmp_path, name):
    done = _run(["manage.py", "check"], _env(tmp_path, **{name: "maybe"}))
    assert done.returncode != 0
    assert name in done.stderr
