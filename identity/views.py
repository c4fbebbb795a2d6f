"""Sign-in (password, then the second factor) and the security part of personal settings:
two-factor enrolment, recovery codes and API tokens (docs/identity.md)."""

from __future__ import annotations

import base64
import time

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from audit.models import Action
from audit.services import record
from helpdesk.permissions import staff_required

from . import tokens, twofactor
from .forms import ApiTokenForm, CodeForm
from .qr import qr_svg_data_uri

PENDING_KEY = "identity_2fa_pending"
PENDING_SECONDS = 300  # the password step counts for five minutes


def sso_context() -> dict:
    return {"sso_enabled": settings.HELPDESK_SSO_ENABLED,
            "sso_provider": settings.OIDC_PROVIDER_NAME,
            "password_login": settings.HELPDESK_PASSWORD_LOGIN}


class LoginView(auth_views.LoginView):
    """Django's sign-in, plus "Sign in with <provider>", the switch that turns password
    sign-in off, and the second factor for users who have one."""

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **sso_context()}

    def post(self, request, *args, **kwargs):
        if not settings.HELPDESK_PASSWORD_LOGIN:
            record(action=Action.SIGN_IN_FAILED, request=request,
                   actor_email=str(request.POST.get("username", ""))[:254],
                   detail={"method": "password", "reason": "password_login_off"})
            messages.error(request, _("Password sign-in is turned off here. Sign in with %(p)s.")
                           % {"p": settings.OIDC_PROVIDER_NAME})
            return redirect("login")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if not twofactor.is_enrolled(user):
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk, "backend": user.backend, "at": time.time(),
            "next": self.get_redirect_url() or "",
        }
        return redirect("identity:two_factor_verify")


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a password sign-in: a code from the app or a recovery code."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        messages.error(request, _("Sign in again: the first step has expired."))
        return redirect("login")
    user = auth.get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = twofactor.verify_code(user, form.cleaned_data["code"])
        if device is None:
            record(action=Action.TWO_FACTOR_FAILED, actor=user, request=request,
                   detail={"stage": "sign_in"})
            form.add_error("code", _("That code is wrong, expired or already used."))
        else:
            del request.session[PENDING_KEY]
            method = "totp" if device.__class__.__name__ == "TOTPDevice" else "recovery_code"
            request.audit_sign_in_method = f"password+{method}"
            auth.login(request, user, backend=pending["backend"])
            otp_login(request, device)
            next_url = pending["next"]
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()},
                                                   require_https=request.is_secure()):
                next_url = settings.LOGIN_REDIRECT_URL
            return redirect(next_url)
    return render(request, "identity/two_factor_verify.html", {"form": form},
                  status=400 if form.errors else 200)


@staff_required(analysts=True)
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if twofactor.is_enrolled(request.user):
        return redirect(reverse("tickets:settings") + "#security")
    device = twofactor.pending_totp_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.confirm_totp(user=request.user, code=form.cleaned_data["code"],
                                       request=request)
        if codes is not None:
            otp_login(request, twofactor.totp_device(request.user))
            request.session["identity_2fa"] = True
            return render(request, "identity/recovery_codes.html", {"codes": codes,
                                                                     "enrolled": True})
        form.add_error("code", _("That code is wrong, expired or already used. Check the "
                                 "time on your phone and try the newest code."))
    return render(request, "identity/two_factor_setup.html", {
        "form": form, "qr": qr_svg_data_uri(device.config_url),
        "secret": _in_fours(base64.b32encode(device.bin_key).decode().rstrip("=")),
        "required": settings.HELPDESK_REQUIRE_2FA and requires_two_factor(request.user),
    }, status=400 if form.errors else 200)


def _in_fours(key: str) -> str:
    """ABCD EFGH …: easier to type; authenticator apps ignore the spaces."""
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


@require_POST
@staff_required(analysts=True)
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    if requires_two_factor(request.user) and settings.HELPDESK_REQUIRE_2FA:
        messages.error(request, _("Two-factor authentication is required for your role."))
        return redirect(reverse("tickets:settings") + "#security")
    form = CodeForm(request.POST)
    if not form.is_valid() or twofactor.verify_code(request.user,
                                                     form.cleaned_data["code"]) is None:
        record(action=Action.TWO_FACTOR_FAILED, request=request, detail={"stage": "disable"})
        messages.error(request, _("That code is wrong, expired or already used."))
        return redirect(reverse("tickets:settings") + "#security")
    twofactor.disable_two_factor(user=request.user, request=request)
    request.session.pop("identity_2fa", None)
    messages.success(request, _("Two-factor authentication is off."))
    return redirect(reverse("tickets:settings") + "#security")


@require_POST
@staff_required(analysts=True)
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if not twofactor.is_enrolled(request.user):
        raise Http404
    codes = twofactor.regenerate_recovery_codes(user=request.user, request=request)
    return render(request, "identity/recovery_codes.html", {"codes": codes})


def requires_two_factor(user) -> bool:
    return bool(user.is_superuser or user.role in ("manager", "admin"))


@staff_required(analysts=True)
def api_tokens(request: HttpRequest) -> HttpResponse:
    """POST creates a token and shows its key once; GET goes back to the settings page."""
    if request.method != "POST":
        return redirect(reverse("tickets:settings") + "#api-tokens")
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return render(request, "identity/token_form.html", {"form": form}, status=400)
    token, key = tokens.create_api_token(user=request.user, name=form.cleaned_data["name"],
                                         scope=form.cleaned_data["scope"], request=request)
    return render(request, "identity/token_created.html", {"token": token, "key": key})


@require_POST
@staff_required(analysts=True)
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = tokens.active_tokens(request.user).filter(pk=pk).first()
    if token is None:
        raise Http404
    tokens.revoke_api_token(token=token, actor=request.user, request=request)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect(reverse("tickets:settings") + "#api-tokens")
