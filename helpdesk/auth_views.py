"""Staff sign-in protections: the password-reset view with per-address and per-IP limits,
the lockout page django-axes shows, and the authentication backend that lets axes guard
every sign-in that comes with a request. See docs/resilience.md."""

from __future__ import annotations

from datetime import timedelta

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.views import PasswordResetView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import throttle
from .prepared import Prepared

PASSWORD_BACKEND = "helpdesk.auth_views.PasswordBackend"  # noqa: S105 (a dotted path)


class LoginThrottleBackend(AxesStandaloneBackend):
    """axes' check before the password backends. A sign-in without a request (a
    management command, the test client's ``login()``) is not a web sign-in: there is
    no IP to count and no attacker on the other end, so it is left to the next backend
    instead of refused as axes does by default."""

    def authenticate(self, request: HttpRequest | None, username=None, password=None,
                     **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


# The signed-in user, read on every request with SQL built once per process.
_user_by_id = Prepared(lambda pk: get_user_model()._default_manager.filter(pk=pk))


class PasswordBackend(ModelBackend):
    """Django's password backend, reading the signed-in user of every request with SQL
    built once per process (``helpdesk.prepared``): building it again cost about a
    millisecond of CPU on every page (docs/performance.md, "Every page: the session, the
    user and the top bar"). Signing in, permissions and the inactive-user check are
    Django's."""

    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        user = _user_by_id.first(pk)
        return user if user is not None and self.user_can_authenticate(user) else None


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "")


class ThrottledPasswordResetView(PasswordResetView):
    """At most HELPDESK_PASSWORD_RESETS_PER_ADDRESS reset mails per address and hour, and
    HELPDESK_PASSWORD_RESETS_PER_IP requests per IP and hour. An address over its limit
    gets the usual "check your inbox" page without a mail, so the page tells nobody
    whether an account exists or how often it was asked for."""

    def dispatch(self, request, *args, **kwargs):
        # Without password sign-in (HELPDESK_PASSWORD_LOGIN=false, docs/identity.md) a new
        # password would open nothing: say so instead of mailing a reset link.
        if not settings.HELPDESK_PASSWORD_LOGIN:
            messages.error(request, _("Password sign-in is turned off here. Sign in with "
                                      "%(p)s.") % {"p": settings.OIDC_PROVIDER_NAME})
            return redirect("login")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        hour = timedelta(hours=1)
        try:
            if not throttle.allow(scope="password-reset:ip", key=client_ip(self.request),
                                  limit=settings.HELPDESK_PASSWORD_RESETS_PER_IP, window=hour):
                return too_many_requests(self.request)
            if not throttle.allow(scope="password-reset:address",
                                  key=form.cleaned_data["email"], window=hour,
                                  limit=settings.HELPDESK_PASSWORD_RESETS_PER_ADDRESS):
                return redirect(self.get_success_url())
        except throttle.ThrottleUnavailable:
            return too_many_requests(self.request, unavailable=True)
        return super().form_valid(form)


def too_many_requests(request: HttpRequest, *, unavailable: bool = False) -> HttpResponse:
    response = render(request, "registration/too_many_requests.html",
                      {"unavailable": unavailable}, status=503 if unavailable else 429)
    response["Retry-After"] = "60" if unavailable else "3600"
    return response


def locked_out(request: HttpRequest, credentials=None, *args) -> HttpResponse:
    """axes' lockout response (AXES_LOCKOUT_CALLABLE): a styled, translated page."""
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = max(int(cool_off.total_seconds() // 60), 1) if cool_off else None
    response = render(request, "registration/locked_out.html", {"minutes": minutes},
                      status=429)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
