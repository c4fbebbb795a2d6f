"""HELPDESK_REQUIRE_2FA: managers and admins who signed in with a password are sent to
two-factor enrolment until they have enrolled (docs/identity.md). Single sign-on sessions
are left alone: their second factor is the identity provider's business."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import twofactor

ALLOWED_PREFIXES = ("/static/", "/i18n/", "/accounts/", "/healthz", "/oidc/", "/jsi18n/")


def _needs_enrolment(request) -> bool:
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated) or not (
            user.is_superuser or getattr(user, "role", "") in ("manager", "admin")):
        return False
    session = request.session
    if session.get("identity_method") == "sso" or session.get("identity_2fa"):
        return False
    if twofactor.is_enrolled(user):
        session["identity_2fa"] = True  # one query per session, not per request
        return False
    return True


class RequireTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.HELPDESK_REQUIRE_2FA and _needs_enrolment(request):
            setup = reverse("identity:two_factor_setup")
            path = request.path_info
            if path != setup and not path.startswith(ALLOWED_PREFIXES):
                if path.startswith("/api/"):
                    return JsonResponse({"detail": _("Your role requires two-factor "
                                                     "authentication. Set it up to go on.")},
                                        status=403)
                # The enrolment page says why (not a flash message: it would pile up, one
                # per page tried).
                return redirect(setup)
        return self.get_response(request)
