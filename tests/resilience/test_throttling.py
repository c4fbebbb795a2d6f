"""Sign-in lockout, password-reset and sign-in-link limits, single-use links (issue 11,
item 11): all with their state in the database, so they hold without Redis and across
web processes."""

import re

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.urls import reverse

from helpdesk import throttle
from helpdesk.models import OutboundEmail, ThrottleBucket

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests/factories.py



def _login(client, email, password, ip="203.0.113.7"):
    return client.post(reverse("login"), {"username": email, "password": password},
                       REMOTE_ADDR=ip)


def test_thirty_wrong_passwords_lock_the_account_with_a_clear_page(client, agent, settings):
    codes = [_login(client, agent.email, f"wrong-{i}").status_code for i in range(30)]
    assert codes[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert set(codes[settings.AXES_FAILURE_LIMIT:]) == {429}
    locked = _login(client, agent.email, PASSWORD)  # even the right password now
    assert locked.status_code == 429
    assert b"Sign-in paused" in locked.content
    assert b"15 minutes" in locked.content
    assert int(locked["Retry-After"]) == 15 * 60
    assert "_auth_user_id" not in client.session


def test_locked_account_is_locked_from_another_network_too(client, agent, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, agent.email, f"wrong-{i}", ip="198.51.100.1")
    assert _login(client, agent.email, PASSWORD, ip="192.0.2.55").status_code == 429


def test_one_network_guessing_many_accounts_is_locked(client, agent, manager, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, f"guess{i}@helpdesk.test", "123456", ip="198.51.100.9")
    assert _login(client, manager.email, PASSWORD, ip="198.51.100.9").status_code == 429
    assert _login(client, manager.email, PASSWORD, ip="192.0.2.1").status_code == 302


def test_lockout_page_is_in_finnish(client, agent, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, agent.email, f"wrong-{i}")
    page = client.post(reverse("login"), {"username": agent.email, "password": PASSWORD},
                       REMOTE_ADDR="203.0.113.7", HTTP_ACCEPT_LANGUAGE="fi")
    assert page.status_code == 429
    assert '<html lang="fi">' in page.content.decode()


def test_right_password_before_the_limit_signs_in_and_api_tokens_are_untouched(
        client, agent, api, settings):
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, agent.email, f"wrong-{i}")
    assert _login(client, agent.email, PASSWORD).status_code == 302
    assert api.get(reverse("tickets_api:ticket-list")).status_code == 200


def _reset(client, email, ip="203.0.113.7"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_eight_reset_requests_send_only_the_allowed_number_of_mails(
        client, agent, mailoutbox, settings):
    responses = [_reset(client, agent.email, ip=f"203.0.113.{i}") for i in range(8)]
    assert {r.status_code for r in responses} == {302}  # the same answer every time
    assert len(mailoutbox) == settings.HELPDESK_PASSWORD_RESETS_PER_ADDRESS == 3
    assert {m.to[0] for m in mailoutbox} == {agent.email}


def test_reset_limit_ignores_the_case_of_the_address(client, agent, mailoutbox, settings):
    for i in range(6):
        _reset(client, agent.email.upper() if i % 2 else agent.email)
    assert len(mailoutbox) == settings.HELPDESK_PASSWORD_RESETS_PER_ADDRESS


def test_reset_requests_from_one_network_are_limited(client, agent, mailoutbox, settings):
    settings.HELPDESK_PASSWORD_RESETS_PER_IP = 4
    codes = [_reset(client, f"person{i}@example.com").status_code for i in range(6)]
    assert codes == [302] * 4 + [429] * 2
    page = _reset(client, agent.email)
    assert b"Too many password reset requests" in page.content
    assert len(mailoutbox) == 0


def test_reset_limit_survives_an_emptied_cache(client, agent, mailoutbox, settings):
    for _ in range(3):
        _reset(client, agent.email)
        cache.clear()  # a Redis restart, or another web process with its own memory
    _reset(client, agent.email)
    assert len(mailoutbox) == 3


def _sign_in_link(client, customer) -> str:
    client.post(reverse("portal:home"), {"email": customer.email})
    body = OutboundEmail.objects.filter(kind="sign_in").latest("pk").body_text
    return re.search(r"https?://\S+/support/sign-in/\S+/", body).group(0)


def test_magic_link_used_twice_is_refused_the_second_time(client, customer):
    link = _sign_in_link(client, customer)
    assert client.post(link).status_code == 302
    cache.clear()  # the used state must not live in a cache that can forget it
    other_browser = client.__class__()
    second = other_browser.post(link)
    assert second.status_code == 400
    assert b"already used" in second.content
    assert "portal_customer_id" not in other_browser.session


def test_sign_in_links_per_address_hold_without_the_cache(client, customer, monkeypatch):
    from tickets.portal import views

    monkeypatch.setattr(views, "SIGN_IN_LINKS_PER_EMAIL", 2)
    for _ in range(4):
        client.post(reverse("portal:home"), {"email": customer.email})
        cache.clear()
    assert OutboundEmail.objects.filter(kind="sign_in").count() == 2


def test_window_slides(db):
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now()
    allowed = [throttle.allow(scope="t", key="k", limit=2, now=start + timedelta(minutes=m))
               for m in (0, 10, 20, 61, 65, 71)]
    # 0 and 10 fill the hour; 20 is refused; 61 frees the slot of 0; 65 is within the
    # hour of 10 and 61; 71 frees the slot of 10.
    assert allowed == [True, True, False, True, False, True]
    assert ThrottleBucket.objects.get().hits.__len__() == 2


def _broken_database(*args, **kwargs):
    raise OperationalError("the database went away")


def test_limits_that_cannot_be_checked_refuse_with_a_clear_page(client, agent, customer,
                                                               monkeypatch, mailoutbox):
    monkeypatch.setattr(throttle, "_locked_bucket", _broken_database)
    sign_in = client.post(reverse("portal:home"), {"email": customer.email})
    new = client.post(reverse("portal:new"), {
        "name": "Kalle", "email": customer.email, "subject": "Hi", "message": "Hello",
        "website": ""})
    reset = _reset(client, agent.email)
    for page in (sign_in, new, reset):
        assert page.status_code == 503
        assert b"Temporarily unavailable" in page.content
    assert OutboundEmail.objects.count() == 0 and len(mailoutbox) == 0


def test_behind_a_trusted_proxy_the_client_address_counts_not_the_proxy(client, agent,
                                                                      manager, settings):
    settings.HELPDESK_TRUSTED_PROXIES = 1
    proxy = "10.0.0.2"

    def login(email, password, client_ip, spoofed="1.2.3.4"):
        return client.post(reverse("login"), {"username": email, "password": password},
                           REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"{spoofed}, {client_ip}")

    for i in range(settings.AXES_FAILURE_LIMIT):
        login(f"guess{i}@helpdesk.test", "123456", "198.51.100.20", spoofed=f"9.9.9.{i}")
    assert login(manager.email, PASSWORD, "198.51.100.20").status_code == 429
    assert login(manager.email, PASSWORD, "192.0.2.30").status_code == 302


def test_without_trusted_proxies_x_forwarded_for_is_ignored(client, manager, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": f"guess{i}@helpdesk.test", "password": "x"},
                    REMOTE_ADDR="198.51.100.21", HTTP_X_FORWARDED_FOR=f"9.9.9.{i}")
    assert _login(client, manager.email, PASSWORD, ip="198.51.100.21").status_code == 429


def test_prune_deletes_only_what_decides_nothing(db):
    from datetime import timedelta

    from django.utils import timezone

    from helpdesk.models import UsedToken
    from helpdesk.tasks import prune_throttles

    now = timezone.now()
    throttle.allow(scope="old", key="a", limit=1, now=now - timedelta(days=2))
    throttle.allow(scope="recent", key="a", limit=1, now=now - timedelta(minutes=5))
    throttle.use_once(purpose="p", token="expired", valid_until=now - timedelta(minutes=1))
    throttle.use_once(purpose="p", token="live", valid_until=now + timedelta(minutes=30))
    assert prune_throttles() == 2
    assert list(ThrottleBucket.objects.values_list("scope", flat=True)) == ["recent"]
    assert not throttle.use_once(purpose="p", token="live",
                                 valid_until=now + timedelta(minutes=30))
    assert UsedToken.objects.count() == 1


@pytest.mark.services
@pytest.mark.skipif(not __import__("os").environ.get("DATABASE_URL", "").startswith(
    ("postgres", "pgsql")), reason="needs PostgreSQL: SQLite serialises every write")
def test_concurrent_requests_never_exceed_the_limit(transactional_db):
    import threading

    from django.db import connection

    results: list[bool] = []
    barrier = threading.Barrier(8)

    def hit():
        try:
            barrier.wait()
            results.append(throttle.allow(scope="race", key="same@example.com", limit=3))
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [False] * 5 + [True] * 3
    assert len(ThrottleBucket.objects.get(scope="race").hits) == 3
