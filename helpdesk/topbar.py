"""The top bar of every staff page, rendered once per process for each user, language and
section instead of on every page (docs/performance.md, "Every page: the session, the user
and the top bar").

The bar is about a hundred template nodes (links, translated labels, three forms), a
millisecond of CPU on every page, and it is the same on each page a user opens: only the
CSRF token and the address the language and availability forms return to change. It is
rendered from ``_topbar.html`` with nothing but what its cache key holds (the user's
role, name and availability, the language, which link is the current page, the search
words), so a value the key does not hold cannot reach the bar; the token and the return
address stand as marks in the stored bar and are written in on every page.

A process keeps at most ``KEEP`` bars (then starts afresh). Translations, URLs and
static files do not change while a process runs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from helpdesk.models import User

TEMPLATE = "_topbar.html"
KEEP = 2000
_MARK = secrets.token_hex(8)
_TOKEN, _NEXT = f"csrf-{_MARK}", f"next-{_MARK}"
_bars: dict[tuple, str] = {}


@dataclass(frozen=True)
class _Viewer:
    """What the bar shows of the user: nothing else of theirs is within its reach."""

    pk: int
    role: str
    sees_all_tickets: bool
    is_staff: bool
    availability: str
    short_name: str
    is_authenticated = True
    Availability = User.Availability

    def get_short_name(self) -> str:
        return self.short_name


def _render(key: tuple, csrf_token: str) -> str:
    viewer, language, nav, q, _prefix = key
    return render_to_string(TEMPLATE, {"user": viewer, "LANGUAGE_CODE": language,
                                       "nav": dict(nav), "q": q, "next_path": _NEXT,
                                       "csrf_token": csrf_token})


def _nav(request: HttpRequest) -> tuple[tuple[str, bool], ...]:
    """Which of the bar's links is the page being shown."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    return (
        ("queue", path == reverse("tickets:queue")),
        ("search", bool(match and match.url_name == "search")),
        ("new", path == reverse("tickets:new")),
        ("canned", reverse("tickets:canned_list") in path),
        ("macros", reverse("tickets:macro_list") in path),
        ("rules", bool(match and match.app_name == "rules")),
        ("chat", bool(match and match.app_name == "chat")),
    )


def render(request: HttpRequest, *, user: Any, csrf_token: str, q: str = "") -> SafeString:
    """The bar for this user on this page, in the active language."""
    viewer = _Viewer(pk=user.pk, role=user.role, sees_all_tickets=user.sees_all_tickets,
                     is_staff=user.is_staff, availability=user.availability,
                     short_name=user.get_short_name())
    key = (viewer, translation.get_language(), _nav(request), q, get_script_prefix())
    # Without the CSRF middleware there is no token (Django's tag writes no field): no copy.
    if csrf_token in ("", "NOTPROVIDED"):  # noqa: S105 (Django's word for "none")
        bar, csrf_token = _render(key, ""), ""
    else:
        bar = _bars.get(key)
        if bar is None:
            if len(_bars) >= KEEP:
                _bars.clear()
            bar = _bars[key] = _render(key, _TOKEN)
    # Both marks stand where the template escaped a value, and are replaced escaped.
    return mark_safe(bar.replace(_TOKEN, escape(csrf_token))  # noqa: S308
                     .replace(_NEXT, escape(request.get_full_path())))
