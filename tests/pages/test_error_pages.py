"""Every error page is styled, in the visitor's language, with a way back, through the real
handlers (handler400/403/404/500 and CSRF_FAILURE_VIEW) with DEBUG off."""

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.pages.error_urls")]

TITLES = {
    "en": {400: "Bad request", 403: "Not allowed", 404: "Page not found",
           500: "Something went wrong", "csrf": "The form expired"},
    "fi": {400: "Virheellinen pyyntö", 403: "Ei käyttöoikeutta", 404: "Sivua ei löydy",
           500: "Jotain meni vikaan", "csrf": "Lomake vanheni"},
}
BACK = {"en": {"staff": "Back to the workspace", "customer": "Back to customer support"},
        "fi": {"staff": "Takaisin työtilaan", "customer": "Takaisin asiakastukeen"}}


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def _client(language: str, user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)
    if user is not None:
        user.language = language
        user.save(update_fields=["language"])
        client.force_login(user)
    return client


def _assert_page(response, status, language, back, title=None):
    html = response.content.decode()
    assert response.status_code == status
    assert f'<html lang="{language}">' in html
    assert 'href="/static/css/errors.css"' in html
    assert f"<h1>{TITLES[language][title or status]}</h1>" in html
    assert BACK[language][back] in html
    return html


@pytest.mark.parametrize("language", ["en", "fi"])
def test_404_for_staff_and_customers(language, agent):
    html = _assert_page(_client(language, agent).get("/no-such-page/"), 404, language, "staff")
    assert f'href="{reverse("tickets:queue")}"' in html
    html = _assert_page(_client(language).get("/support/tickets/999999/nothing/"), 404,
                        language, "customer")
    assert f'href="{reverse("portal:home")}"' in html


@pytest.mark.parametrize("language", ["en", "fi"])
def test_agent_on_a_manager_page_gets_the_styled_403(language, agent):
    response = _client(language, agent).get(reverse("surveys:programs"))
    _assert_page(response, 403, language, "staff")


@pytest.mark.parametrize("language", ["en", "fi"])
def test_400_from_a_suspicious_request(language):
    _assert_page(_client(language).get("/test-errors/400/"), 400, language, "customer")


@pytest.mark.parametrize("language", ["en", "fi"])
def test_500_page(language, agent):
    client = _client(language, agent)
    _assert_page(client.get("/test-errors/500/"), 500, language, "staff")
    _assert_page(_client(language).get("/support/test-errors/500/"), 500, language, "customer")


def test_500_handler_itself_runs_no_query(rf, django_assert_num_queries):
    from django.contrib.auth.middleware import get_user
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils.functional import SimpleLazyObject

    from helpdesk.errors import server_error

    request = rf.get("/tickets/1/")
    request.session = SessionStore()
    request.user = SimpleLazyObject(lambda: get_user(request))  # not loaded yet
    with django_assert_num_queries(0), translation.override("en"):
        response = server_error(request)
    assert response.status_code == 500
    assert "Back to the start page" in response.content.decode()


def test_500_page_comes_up_when_the_database_is_gone(monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = _client("fi").get("/support/test-errors/500/")
    _assert_page(response, 500, "fi", "customer")


@pytest.mark.parametrize("language", ["en", "fi"])
def test_csrf_failure_page(language, agent):
    client = _client(language, agent)
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("tickets:settings"), {"name": "x"})
    _assert_page(response, 403, language, "staff", title="csrf")


def test_favicon_answers_with_a_real_icon():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.ico"
    path = finders.find("favicon.ico")
    with open(path, "rb") as icon:
        header = icon.read(6)
    assert header == b"\x00\x00\x01\x00\x01\x00"  # an ICO with one image
