"""Identity in Chromium: single sign-on through a real OpenID provider, two-factor
enrolment with a real TOTP code, an API token made and listed, the audit log. Saves
screenshots at 1280 and 1920 px in English and Finnish (artifacts/screenshots/identity/,
tests/browser/shots.py)."""

import re

import pyotp
import pytest

from audit.models import Action, AuditEntry
from identity.models import ApiToken
from tests.browser.shots import shots_dir
from tests.browser.signin import sign_in
from tests.factories import UserFactory
from tests.identity.conftest import oidc_provider, sso  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = shots_dir("identity")
WIDTHS = (1280, 1920)


def shoot(page, name: str, lang: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 860})
        # Let the page lay itself out at the new width before the full-page capture (a
        # capture right after the resize can stitch the old layout into the new one).
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => "
                      "requestAnimationFrame(r)))")
        page.screenshot(path=str(SHOTS / f"{name}-{lang}-{width}.png"), full_page=True)


def test_sso_sign_in_in_the_browser(browser, live_server, sso):  # noqa: F811 (the imported fixture)
    from tests.identity.conftest import set_identity

    UserFactory(email="aino@helpdesk.test", name="Aino Agent")
    set_identity(sso, "aino", email="aino@helpdesk.test", email_verified=True)
    for lang in ("en", "fi"):
        context = browser.new_context(locale="fi-FI" if lang == "fi" else "en-US")
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        shoot(page, "login-sso", lang)
        page.click("a.sso-button")
        page.fill("#subject-input", "aino")  # the provider's own sign-in form
        page.click("button[type=submit]")
        # The sign-out button is the header's last part: the page has loaded that far.
        page.wait_for_selector("header.topbar nav.usernav button.linklike")
        assert "Aino" in page.inner_text("header.topbar")
        context.close()
    assert AuditEntry.objects.filter(action=Action.SIGN_IN, detail__method="sso").count() == 2


def test_two_factor_tokens_and_audit_log_in_the_browser(page, live_server):
    admin = UserFactory(email="ada@helpdesk.test", name="Ada Admin", role="admin",
                        is_staff=True, is_superuser=True)
    sign_in(page, live_server.url, admin.email, ready="header.topbar")

    for lang in ("fi", "en"):
        admin.language = lang
        admin.save(update_fields=["language"])
        page.goto(f"{live_server.url}/settings/two-factor/")
        page.wait_for_selector(".qr img")
        shoot(page, "two-factor-setup", lang)
    secret = page.inner_text("code.secret").replace(" ", "")
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.click("button[type=submit].primary")
    page.wait_for_selector("ul.codes")
    assert len(page.locator("ul.codes li").all()) == 10
    shoot(page, "recovery-codes", "en")
    # Two-factor is now on: the setup page sends back to the settings.
    for lang in ("en", "fi"):
        admin.language = lang
        admin.save(update_fields=["language"])
        page.goto(f"{live_server.url}/settings/")
        page.fill(".token-new input[name=name]", f"CRM sync {lang}")
        page.select_option(".token-new select[name=scope]", "read")
        page.click(".token-new button[type=submit]")
        key = page.inner_text("code.token-key").strip()
        assert re.fullmatch(r"[0-9a-f]{40}", key)
        shoot(page, "token-created", lang)
        page.goto(f"{live_server.url}/settings/#api-tokens")
        assert f"CRM sync {lang}" in page.inner_text("#api-tokens")
        assert key not in page.content()
        shoot(page, "settings-security", lang)
        page.goto(f"{live_server.url}/audit/")
        page.wait_for_selector("table.audit-log")
        shoot(page, "audit-log", lang)
    assert ApiToken.objects.filter(user=admin, scope="read").count() == 2
    assert "API token created" in page.inner_text("table.audit-log") or \
        "API-avain luotu" in page.inner_text("table.audit-log")


def _sign_in(page, live_server, user) -> None:
    sign_in(page, live_server.url, user.email, ready="header.topbar")


def test_customer_data_export_and_erasure_in_the_browser(page, live_server):
    from tests.factories import MessageFactory, TicketFactory
    from tickets.models import Customer

    admin = UserFactory(email="ada@helpdesk.test", name="Ada Admin", role="admin",
                        is_staff=True, is_superuser=True)
    customer = Customer.objects.create(email="kalle@example.com", name="Kalle Customer",
                                       phone="+358401234567")
    ticket = TicketFactory(customer=customer, subject="My pacemaker invoice", status="solved")
    MessageFactory(ticket=ticket, author_type="customer", author_customer=customer,
                   body_text="Hello, Kalle here.")
    _sign_in(page, live_server, admin)
    for lang in ("en", "fi"):
        admin.language = lang
        admin.save(update_fields=["language"])
        page.goto(f"{live_server.url}/customers/{customer.pk}/")
        page.wait_for_selector("#personal-data")
        shoot(page, "customer-personal-data", lang)
        with page.expect_download() as download:
            page.click("#personal-data a.button:not(.danger-button)")
        assert download.value.suggested_filename == f"customer-{customer.pk}.zip"
        page.click("#personal-data a.danger-button")
        page.wait_for_selector("#id_confirm")
        page.fill("#id_confirm", "wrong@example.com")
        page.click("button.danger-button")
        page.wait_for_selector("#confirm-error")
        shoot(page, "customer-erase-confirm", lang)
    page.fill("#id_confirm", "kalle@example.com")
    page.click("button.danger-button")
    page.wait_for_selector("#personal-data .badge.danger")
    assert "kalle@example.com" not in page.content()
    shoot(page, "customer-erased", "fi")
    customer.refresh_from_db()
    assert customer.erased_at is not None
    assert AuditEntry.objects.filter(action=Action.ERASURE).count() == 1
    assert AuditEntry.objects.filter(action=Action.EXPORT).count() == 2


def test_sso_refusal_and_sso_only_sign_in_in_the_browser(browser, live_server, sso,  # noqa: F811
                                                         settings):
    settings.HELPDESK_PASSWORD_LOGIN = False
    for lang in ("en", "fi"):
        context = browser.new_context(locale="fi-FI" if lang == "fi" else "en-US")
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        assert page.locator("#id_password").count() == 0  # no password form at all
        shoot(page, "login-sso-only", lang)
        page.goto(f"{live_server.url}/oidc/callback/?code=abc&state=forged")
        page.wait_for_selector("p.error")
        text = page.inner_text("p.error")
        assert ("wrong or reused state" in text) == (lang == "en")
        shoot(page, "sso-refused", lang)
        context.close()
    assert AuditEntry.objects.filter(action=Action.SSO_FAILED,
                                     detail__reason="state_mismatch").count() == 2


def test_required_two_factor_holds_a_manager_in_the_browser(page, live_server, settings):
    settings.HELPDESK_REQUIRE_2FA = True
    manager = UserFactory(email="maija@helpdesk.test", name="Maija Manager", role="manager")
    _sign_in(page, live_server, manager)
    for lang in ("en", "fi"):
        manager.language = lang
        manager.save(update_fields=["language"])
        page.goto(f"{live_server.url}/metrics/")
        page.wait_for_selector(".qr img")
        assert page.url == f"{live_server.url}/settings/two-factor/"
        shoot(page, "two-factor-required", lang)
