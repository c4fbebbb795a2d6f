"""Signing in through the staff sign-in form, as the browser tests start."""

from __future__ import annotations

from tests.factories import PASSWORD


def sign_in(page, base_url: str, email: str, *, password: str = PASSWORD,
            path: str = "/accounts/login/", ready: str | None = None) -> None:
    """Open ``path`` (the sign-in page, or a staff page that sends there and back), sign
    in as ``email``, and wait for ``ready`` (a selector on the page signed in to), or else
    for that page to load."""
    page.goto(f"{base_url}{path}")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    if ready:
        page.wait_for_selector(ready)
    else:
        page.wait_for_load_state()
