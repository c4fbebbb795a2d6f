"""Two-factor for password sign-in: enrolment from the settings page, the code step,
expired and reused codes, recovery codes, and the installation setting for managers
and admins. Codes are computed with pyotp, independently of django-otp."""

import base64
import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action, AuditEntry

PASSWORD = "correct horse battery"
# Near the real clock: sessions made while travelling must not have expired back home.
T0 = datetime.now(UTC).replace(microsecond=0)


def totp_for(user) -> pyotp.TOTP:
    device = TOTPDevice.objects.get(user=user)
    return pyotp.TOTP(base64.b32encode(device.bin_key).decode())


def enrol(client, user, at=T0) -> list[str]:
    client.force_login(user)
    with time_machine.travel(at, tick=False):
        page = client.get("/settings/two-factor/")
        assert page.status_code == 200 and b"data:image/svg+xml" in page.content
        done = client.post("/settings/two-factor/", {"code": totp_for(user).now()})
    assert done.status_code == 200
    client.logout()
    return re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", done.content.decode())


def sign_in(client, user):
    return client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})


@pytest.fixture
def agent_with_password(agent):
    agent.set_password(PASSWORD)
    agent.save()
    return agent


def test_enrolment_confirms_the_app_and_shows_ten_recovery_codes(client, agent_with_password):
    codes = enrol(client, agent_with_password)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert TOTPDevice.objects.get(user=agent_with_password).confirmed
    assert AuditEntry.objects.filter(action=Action.TWO_FACTOR_ENABLED).count() == 1


def test_enrolment_with_a_wrong_code_keeps_it_off(client, agent):
    client.force_login(agent)
    client.get("/settings/two-factor/")
    page = client.post("/settings/two-factor/", {"code": "000000"})
    assert page.status_code == 400 and "That code is wrong" in page.content.decode()
    assert not TOTPDevice.objects.filter(user=agent, confirmed=True).exists()
    assert AuditEntry.objects.filter(action=Action.TWO_FACTOR_FAILED).exists()


def test_password_then_code_signs_in(client, agent_with_password):
    enrol(client, agent_with_password)
    later = T0 + timedelta(minutes=10)
    with time_machine.travel(later, tick=False):
        first = sign_in(client, agent_with_password)
        assert first.status_code == 302 and first["Location"] == "/accounts/two-factor/"
        assert "_auth_user_id" not in client.session  # not signed in after the password
        done = client.post("/accounts/two-factor/", {"code": totp_for(agent_with_password).now()})
    assert done.status_code == 302 and done["Location"] == "/"
    assert client.session["_auth_user_id"] == str(agent_with_password.pk)
    entry = AuditEntry.objects.filter(action=Action.SIGN_IN).order_by("pk").last()
    assert entry.detail == {"method": "password+totp"} and entry.ip == "127.0.0.1"


def test_expired_code_is_refused_and_audited(client, agent_with_password):
    enrol(client, agent_with_password)
    later = T0 + timedelta(minutes=10)
    old_code = totp_for(agent_with_password).at(later - timedelta(minutes=3))
    with time_machine.travel(later, tick=False):
        sign_in(client, agent_with_password)
        page = client.post("/accounts/two-factor/", {"code": old_code})
    assert page.status_code == 400
    assert "That code is wrong, expired or already used." in page.content.decode()
    assert "_auth_user_id" not in client.session
    failed = AuditEntry.objects.get(action=Action.TWO_FACTOR_FAILED)
    assert failed.actor == agent_with_password and failed.detail == {"stage": "sign_in"}


def test_a_code_works_only_once(client, agent_with_password):
    enrol(client, agent_with_password)
    later = T0 + timedelta(minutes=10)
    with time_machine.travel(later, tick=False):
        code = totp_for(agent_with_password).now()
        sign_in(client, agent_with_password)
        assert client.post("/accounts/two-factor/", {"code": code}).status_code == 302
        client.logout()
    with time_machine.travel(later + timedelta(seconds=5), tick=False):
        sign_in(client, agent_with_password)
        replay = client.post("/accounts/two-factor/", {"code": code})
    assert replay.status_code == 400 and "already used" in replay.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action=Action.TWO_FACTOR_FAILED).count() == 1


def test_a_recovery_code_signs_in_once(client, agent_with_password):
    codes = enrol(client, agent_with_password)
    sign_in(client, agent_with_password)
    assert client.post("/accounts/two-factor/", {"code": codes[0]}).status_code == 302
    client.logout()
    sign_in(client, agent_with_password)
    assert client.post("/accounts/two-factor/", {"code": codes[0]}).status_code == 400
    # After a failure django-otp makes the next try wait a second (doubling each time).
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=2), tick=False):
        assert client.post("/accounts/two-factor/", {"code": codes[1].upper()}).status_code == 302


def test_the_code_step_expires_after_five_minutes(client, agent_with_password):
    enrol(client, agent_with_password)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        sign_in(client, agent_with_password)
    with time_machine.travel(T0 + timedelta(minutes=16), tick=False):
        page = client.post("/accounts/two-factor/",
                           {"code": totp_for(agent_with_password).now()})
    assert page.status_code == 302 and page["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_turning_it_off_needs_a_current_code(client, agent_with_password):
    enrol(client, agent_with_password)
    client.force_login(agent_with_password)
    # On the test's own clock (T0 is the module's import time, long ago in a long run): a
    # wrong code at real time would throttle the device past T0 + 10 minutes.
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        client.post("/settings/two-factor/disable/", {"code": "123456"})
    assert TOTPDevice.objects.filter(user=agent_with_password).exists()
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        client.post("/settings/two-factor/disable/",
                    {"code": totp_for(agent_with_password).now()})
    assert not TOTPDevice.objects.filter(user=agent_with_password).exists()
    assert AuditEntry.objects.filter(action=Action.TWO_FACTOR_DISABLED).count() == 1


@pytest.mark.parametrize("persona", ["manager", "admin_user"])
def test_required_setting_sends_managers_and_admins_to_enrolment(client, settings, persona,
                                                                 request):
    settings.HELPDESK_REQUIRE_2FA = True
    user = request.getfixturevalue(persona)
    user.set_password(PASSWORD)
    user.save()
    assert sign_in(client, user)["Location"] == "/"  # no device yet: signed in...
    page = client.get("/metrics/")
    assert page.status_code == 302 and page["Location"] == "/settings/two-factor/"  # ...held
    assert client.get("/api/v1/tickets/").status_code == 403
    assert client.get("/settings/two-factor/").status_code == 200
    with time_machine.travel(T0, tick=False):
        client.post("/settings/two-factor/", {"code": totp_for(user).now()})
    assert client.get("/metrics/").status_code == 200


def test_required_setting_leaves_agents_alone(client, settings, agent_with_password):
    settings.HELPDESK_REQUIRE_2FA = True
    sign_in(client, agent_with_password)
    assert client.get("/").status_code == 200


def test_settings_page_shows_the_two_factor_section(client, agent):
    client.force_login(agent)
    page = client.get("/settings/").content.decode()
    assert 'id="security"' in page and "/settings/two-factor/" in page


@pytest.mark.parametrize("path", ["/", "/metrics/", "/settings/", "/rules/", "/tickets/new/",
                                  "/surveys/follow-ups/", "/audit/", "/admin/",
                                  "/api/v1/agents/me/"])
def test_an_admin_without_two_factor_reaches_no_other_page(client, settings, admin_user, path):
    settings.HELPDESK_REQUIRE_2FA = True
    admin_user.set_password(PASSWORD)
    admin_user.save()
    sign_in(client, admin_user)
    response = client.get(path)
    if path.startswith("/api/"):
        assert response.status_code == 403
        assert "requires two-factor authentication" in response.json()["detail"]
    else:
        assert response.status_code == 302 and response["Location"] == "/settings/two-factor/"
        page = client.get(response["Location"]).content.decode()
        assert "Your role requires two-factor authentication" in page
        assert page.count("Your role requires") == 1 and "Cancel" not in page
    assert client.get("/accounts/logout/").status_code in (200, 302, 405)  # a way out


def test_api_tokens_of_a_manager_without_two_factor_keep_working(settings, manager, ticket):
    """The requirement is about interactive sign-in: integrations go on with their tokens."""
    from rest_framework.test import APIClient

    from identity.tokens import create_api_token

    settings.HELPDESK_REQUIRE_2FA = True
    _, key = create_api_token(user=manager, name="CRM sync", scope="write")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/tickets/").status_code == 200
    done = api.patch(f"/api/v1/tickets/{ticket.pk}/", {"priority": "high"}, format="json")
    assert done.status_code == 200 and done.json()["priority"] == "high"
