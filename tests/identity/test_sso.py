"""Single sign-on: the full authorization-code flow over HTTP between a real OpenID
provider (tests/identity/conftest.py) and the live helpdesk server."""

import re
from urllib.parse import parse_qs, urlencode, urlparse, urlunparse

import pytest
import requests

from audit.models import Action
from helpdesk.models import User

from .conftest import audit_actions, set_identity

pytestmark = pytest.mark.django_db(transaction=True)


def start(browser: requests.Session, live_server) -> str:
    """Click "Sign in with …": returns the provider's authorization page URL."""
    page = browser.get(f"{live_server.url}/accounts/login/", timeout=10)
    assert "Sign in with Keycloak" in page.text
    link = re.search(r'href="(/oidc/authenticate/[^"]*)"', page.text).group(1)
    provider_page = browser.get(f"{live_server.url}{link}", timeout=10)
    assert provider_page.status_code == 200 and "Authorize" in provider_page.text
    return provider_page.url


def authorize(browser: requests.Session, provider_url: str, sub: str) -> str:
    """The person chooses their identity at the provider: returns our callback URL."""
    answer = browser.post(provider_url, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    return answer.headers["Location"]


def with_query(url: str, **changes) -> str:
    parts = urlparse(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return urlunparse(parts._replace(query=urlencode(query)))


def test_existing_staff_user_signs_in_by_verified_email(sso, live_server, agent):
    set_identity(sso, "aino-sub", email="AINO@helpdesk.test", email_verified=True)
    browser = requests.Session()
    callback = authorize(browser, start(browser, live_server), "aino-sub")
    assert callback.startswith(f"{live_server.url}/oidc/callback/?")
    queue = browser.get(callback, timeout=10)
    assert queue.status_code == 200 and queue.url == f"{live_server.url}/"
    assert "Aino" in queue.text  # signed in: the top bar names the user
    assert User.objects.count() == 1
    assert (Action.SIGN_IN, "aino@helpdesk.test", "sso") in audit_actions()


def test_first_sign_in_creates_the_user_with_the_default_role(sso, live_server, settings):
    settings.HELPDESK_SSO_DEFAULT_ROLE = "analyst"
    settings.HELPDESK_SSO_ALLOWED_DOMAINS = ["example.fi"]
    set_identity(sso, "new-sub", email="Uusi.Analyytikko@example.fi", email_verified=True,
                 name="Uusi Analyytikko")
    browser = requests.Session()
    dashboard = browser.get(authorize(browser, start(browser, live_server), "new-sub"), timeout=10)
    assert dashboard.status_code == 200
    user = User.objects.get()
    assert (user.email, user.role, user.name) == ("uusi.analyytikko@example.fi", "analyst",
                                                  "Uusi Analyytikko")
    assert not user.has_usable_password()
    assert dashboard.url.startswith(f"{live_server.url}/metrics/")  # analysts land on figures


def test_unknown_user_is_refused_when_creation_is_off(sso, live_server):
    set_identity(sso, "stranger", email="stranger@example.fi", email_verified=True)
    browser = requests.Session()
    page = browser.get(authorize(browser, start(browser, live_server), "stranger"), timeout=10)
    assert page.status_code == 403
    assert "There is no staff account for stranger@example.fi" in page.text
    assert not User.objects.exists()
    assert (Action.SSO_FAILED, "stranger@example.fi", "unknown_user") in audit_actions()


def test_unverified_email_is_refused(sso, live_server, agent):
    set_identity(sso, "aino-sub", email="aino@helpdesk.test", email_verified=False)
    browser = requests.Session()
    page = browser.get(authorize(browser, start(browser, live_server), "aino-sub"), timeout=10)
    assert page.status_code == 403
    assert "has not verified your email address" in page.text
    assert browser.get(f"{live_server.url}/", allow_redirects=False, timeout=10).status_code == 302
    assert (Action.SSO_FAILED, "aino@helpdesk.test", "email_not_verified") in audit_actions()


def test_email_of_another_domain_is_refused(sso, live_server, settings, agent):
    settings.HELPDESK_SSO_ALLOWED_DOMAINS = ["example.fi"]
    set_identity(sso, "aino-sub", email="aino@helpdesk.test", email_verified=True)
    browser = requests.Session()
    page = browser.get(authorize(browser, start(browser, live_server), "aino-sub"), timeout=10)
    assert page.status_code == 403 and "Accounts of helpdesk.test may not sign in" in page.text


def test_callback_with_a_wrong_state_is_refused_and_audited(sso, live_server, agent):
    set_identity(sso, "aino-sub", email="aino@helpdesk.test", email_verified=True)
    browser = requests.Session()
    callback = authorize(browser, start(browser, live_server), "aino-sub")
    page = browser.get(with_query(callback, state="forged-state"), timeout=10)
    assert page.status_code == 400
    assert "wrong or reused state" in page.text
    assert browser.get(f"{live_server.url}/", allow_redirects=False, timeout=10).status_code == 302
    assert (Action.SSO_FAILED, "", "state_mismatch") in audit_actions()


def test_callback_used_twice_is_refused(sso, live_server, agent):
    set_identity(sso, "aino-sub", email="aino@helpdesk.test", email_verified=True)
    browser = requests.Session()
    callback = authorize(browser, start(browser, live_server), "aino-sub")
    assert browser.get(callback, timeout=10).status_code == 200
    replay = requests.Session()
    replay.cookies.update(browser.cookies)
    assert replay.get(callback, timeout=10).status_code == 400  # the state was used up


def test_code_issued_for_another_sign_in_fails_the_nonce_check(sso, live_server, agent):
    """An attacker's authorization code (bound to the nonce of their own sign-in) pasted
    into the victim's sign-in (another state and nonce): the state matches, the ID
    token's nonce does not."""
    set_identity(sso, "aino-sub", email="aino@helpdesk.test", email_verified=True)
    browser = requests.Session()
    first = authorize(browser, start(browser, live_server), "aino-sub")
    second = authorize(browser, start(browser, live_server), "aino-sub")
    swapped = with_query(first, state=parse_qs(urlparse(second).query)["state"][0])
    page = browser.get(swapped, timeout=10)
    assert page.status_code == 400
    assert "wrong nonce" in page.text
    assert browser.get(f"{live_server.url}/", allow_redirects=False, timeout=10).status_code == 302
    assert (Action.SSO_FAILED, "", "nonce_mismatch") in audit_actions()


def test_password_sign_in_can_be_turned_off(sso, live_server, settings, agent, client):
    settings.HELPDESK_PASSWORD_LOGIN = False
    page = client.get("/accounts/login/")
    assert b"Sign in with Keycloak" in page.content and b'name="password"' not in page.content
    agent.set_password("correct horse battery")
    agent.save()
    refused = client.post("/accounts/login/", {"username": agent.email,
                                               "password": "correct horse battery"}, follow=True)
    assert "Password sign-in is turned off here" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert (Action.SIGN_IN_FAILED, agent.email, "password_login_off") in audit_actions()


def test_entra_ids_domain_verified_claim_counts_as_verified(sso, live_server, agent):
    set_identity(sso, "aino-sub", email="aino@helpdesk.test", xms_edov=True)
    browser = requests.Session()
    page = browser.get(authorize(browser, start(browser, live_server), "aino-sub"), timeout=10)
    assert page.status_code == 200 and page.url == f"{live_server.url}/"


def test_unverified_email_creates_nobody_even_with_a_default_role(sso, live_server, settings):
    settings.HELPDESK_SSO_DEFAULT_ROLE = "agent"
    set_identity(sso, "new-sub", email="uusi@example.fi", email_verified=False)
    browser = requests.Session()
    page = browser.get(authorize(browser, start(browser, live_server), "new-sub"), timeout=10)
    assert page.status_code == 403 and "has not verified your email address" in page.text
    assert not User.objects.exists()
    assert (Action.SSO_FAILED, "uusi@example.fi", "email_not_verified") in audit_actions()


def test_an_email_claim_without_email_verified_does_not_link_an_account(sso, live_server, agent):
    """No ``email_verified`` claim at all (some providers leave it out): not verified."""
    set_identity(sso, "aino-sub", email="aino@helpdesk.test")
    browser = requests.Session()
    page = browser.get(authorize(browser, start(browser, live_server), "aino-sub"), timeout=10)
    assert page.status_code == 403
    assert browser.get(f"{live_server.url}/", allow_redirects=False, timeout=10).status_code == 302


@pytest.mark.parametrize("oidc_provider", [False], indirect=True)
def test_an_id_token_without_a_nonce_is_refused(sso, live_server, agent):
    """The provider is asked without our nonce (an attacker's own authorization request,
    pasted into the victim's sign-in with a valid state): the ID token carries no nonce."""
    set_identity(sso, "aino-sub", email="aino@helpdesk.test", email_verified=True)
    browser = requests.Session()
    provider_url = start(browser, live_server)
    parts = urlparse(provider_url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items() if k != "nonce"}
    callback = authorize(browser, urlunparse(parts._replace(query=urlencode(query))), "aino-sub")
    page = browser.get(callback, timeout=10)
    assert page.status_code == 400 and "wrong nonce" in page.text
    assert browser.get(f"{live_server.url}/", allow_redirects=False, timeout=10).status_code == 302
    assert (Action.SSO_FAILED, "", "nonce_mismatch") in audit_actions()


def test_refusal_page_is_translated(sso, live_server, agent):
    set_identity(sso, "aino-sub", email="aino@helpdesk.test", email_verified=True)
    browser = requests.Session()
    callback = authorize(browser, start(browser, live_server), "aino-sub")
    browser.headers["Accept-Language"] = "fi"
    page = browser.get(with_query(callback, state="forged-state"), timeout=10)
    assert page.status_code == 400
    assert '<html lang="fi"' in page.text and "Kirjautuminen estetty" in page.text
    assert "wrong or reused state" not in page.text  # the message itself is Finnish too


def test_without_password_sign_in_reset_links_are_not_sent(sso, settings, client, agent,
                                                           mailoutbox):
    settings.HELPDESK_PASSWORD_LOGIN = False
    page = client.post("/accounts/password_reset/", {"email": agent.email}, follow=True)
    assert "Password sign-in is turned off here. Sign in with Keycloak." in page.content.decode()
    assert mailoutbox == []


def test_customers_magic_links_work_without_password_sign_in(sso, settings, client, customer,
                                                             mailoutbox):
    """Turning staff password sign-in off leaves the customers' portal alone."""
    settings.HELPDESK_PASSWORD_LOGIN = False
    from helpdesk.models import OutboundEmail
    from tickets.portal import auth as portal_auth

    assert client.post("/support/", {"email": customer.email}).status_code == 200
    link = re.search(r"/support/sign-in/[^\s]+/", OutboundEmail.objects.get().body_text).group(0)
    assert client.post(link).status_code == 302
    assert client.session[portal_auth.CUSTOMER_KEY] == customer.pk
    assert client.get("/support/").status_code == 200
