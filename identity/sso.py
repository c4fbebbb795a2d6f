"""Single sign-on for staff with OpenID Connect, on mozilla-django-oidc (docs/identity.md).

mozilla-django-oidc runs the authorization-code flow: it sends ``state``, ``nonce`` and a
PKCE challenge, checks the returned ``state`` against the session, exchanges the code,
verifies the ID token's signature against the provider's keys and its ``nonce``. We add:

- the endpoints from the provider's discovery document (``OIDC_DISCOVERY_URL``), fetched
  once per process, instead of four more settings;
- the ID token's ``iss`` and ``aud`` checked too;
- who may come in: a *verified* email (``email_verified`` true) of an allowed domain,
  matched case-insensitively to an active staff user, or created with
  ``HELPDESK_SSO_DEFAULT_ROLE`` when that is set;
- every refusal (wrong state, wrong nonce, bad token, unverified email, unknown user)
  answered with a page that says so and recorded in the audit log.
"""

from __future__ import annotations

import logging
import threading

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import transaction
from django.shortcuts import render
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from audit.models import Action
from audit.services import record

logger = logging.getLogger(__name__)

_DISCOVERY_KEYS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_ISSUER": "issuer",
}
_discovery: dict[str, dict] = {}
_discovery_lock = threading.Lock()


def discovery() -> dict:
    """The provider's discovery document, fetched once per process and URL."""
    url = settings.OIDC_DISCOVERY_URL
    if not url:
        raise ImproperlyConfigured("single sign-on is off (OIDC_DISCOVERY_URL is unset)")
    with _discovery_lock:
        if url not in _discovery:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            _discovery[url] = response.json()
        return _discovery[url]


def oidc_setting(attr, *args):
    if attr in _DISCOVERY_KEYS and settings.OIDC_DISCOVERY_URL:
        return discovery()[_DISCOVERY_KEYS[attr]]
    return import_from_settings(attr, *args)


class SSORefused(Exception):
    """A sign-in the provider vouched for that we do not accept; ``reason`` is audited."""

    def __init__(self, reason: str, message: str, email: str = ""):
        super().__init__(reason)
        self.reason, self.message, self.email = reason, message, email


def email_verified(claims: dict) -> bool:
    """``email_verified: true`` (the standard claim), or Microsoft Entra ID's optional
    ``xms_edov`` ("email domain owner verified"), which Entra sends instead."""
    if claims.get("email_verified") is True:
        return True
    return claims.get("xms_edov") in (True, 1, "1", "true", "True")


class HelpdeskOIDCBackend(OIDCAuthenticationBackend):
    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        # Discovery happens on the first SSO callback, not when Django lists backends.
        self.UserModel = auth.get_user_model()

    def authenticate(self, request, **kwargs):
        if not settings.HELPDESK_SSO_ENABLED or request is None \
                or "code" not in request.GET or "nonce" not in kwargs:
            return None
        super().__init__()
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload, key):
        # The library checks the signature only; the issuer and audience matter as much:
        # a token the provider minted for another application must not sign anyone in.
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("ID token algorithm does not match OIDC_SIGN_ALGO")
        try:
            return jwt.decode(payload, key, algorithms=[self.OIDC_RP_SIGN_ALGO],
                              audience=self.OIDC_RP_CLIENT_ID, issuer=oidc_setting("OIDC_OP_ISSUER"),
                              options={"require": ["exp", "iat", "iss", "aud", "sub"]})
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token rejected: {exc}") from None

    def verify_claims(self, claims):
        email = str(claims.get("email") or "").strip().lower()
        if not email:
            raise SSORefused("no_email", _("Your identity provider did not share your email "
                                           "address."))
        if not email_verified(claims):
            raise SSORefused("email_not_verified", _("Your identity provider has not verified "
                                                     "your email address %(email)s.")
                             % {"email": email}, email)
        domain = email.rpartition("@")[2]
        allowed = settings.HELPDESK_SSO_ALLOWED_DOMAINS
        if allowed and domain not in allowed:
            raise SSORefused("domain_not_allowed", _("Accounts of %(domain)s may not sign in "
                                                     "here.") % {"domain": domain}, email)
        return True

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(email__iexact=str(claims["email"]).strip())

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        # The ID token's own claims win over userinfo's where both speak.
        claims = {**claims, **{k: payload[k] for k in ("email", "email_verified", "xms_edov")
                               if k in payload}}
        self.verify_claims(claims)
        email = str(claims["email"]).strip().lower()
        users = list(self.filter_users_by_claims(claims)[:2])
        if len(users) == 1:
            if not users[0].is_active or not users[0].role:
                raise SSORefused("inactive", _("The account %(email)s is not active here.")
                                 % {"email": email}, email)
            return users[0]
        if not settings.HELPDESK_SSO_DEFAULT_ROLE:
            raise SSORefused("unknown_user", _("There is no staff account for %(email)s. Ask "
                                               "an administrator to add you.")
                             % {"email": email}, email)
        with transaction.atomic():
            user = self.UserModel.objects.create_user(
                email, None, name=str(claims.get("name") or "")[:150],
                role=settings.HELPDESK_SSO_DEFAULT_ROLE)
        return user


class HelpdeskOIDCRequestView(OIDCAuthenticationRequestView):
    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        # The parent reads the endpoints in __init__; they come from discovery at request time.
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not settings.HELPDESK_SSO_ENABLED:
            return refuse(request, "sso_off", _("Single sign-on is not set up here."))
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ValueError, KeyError):
            logger.exception("OIDC discovery failed")
            return refuse(request, "provider_unreachable",
                          _("The identity provider could not be reached. Try again later."),
                          status=503)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


def refuse(request, reason: str, message: str, *, email: str = "", status: int = 400):
    record(action=Action.SSO_FAILED, request=request, actor=None, actor_email=email,
           detail={"reason": reason})
    return render(request, "identity/sso_failed.html", {"message": message}, status=status)


class HelpdeskOIDCCallbackView(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(oidc_setting)

    def get(self, request):
        if not settings.HELPDESK_SSO_ENABLED:
            return refuse(request, "sso_off", _("Single sign-on is not set up here."))
        if request.GET.get("error"):
            super().get(request)  # drops the state, signs nobody in
            return refuse(request, "provider_error",
                          _("The identity provider refused the sign-in: %(error)s")
                          % {"error": request.GET["error"][:100]})
        if "code" not in request.GET or "state" not in request.GET:
            return refuse(request, "incomplete", _("The sign-in answer was incomplete."))
        if request.GET["state"] not in request.session.get("oidc_states", {}):
            return refuse(request, "state_mismatch",
                          _("This sign-in answer does not belong to a sign-in started in this "
                            "browser (wrong or reused state). Start again."))
        request.audit_sign_in_method = "sso"
        try:
            response = super().get(request)
        except SSORefused as exc:
            return refuse(request, exc.reason, exc.message, email=exc.email, status=403)
        except SuspiciousOperation as exc:
            reason = "nonce_mismatch" if "Nonce" in str(exc) else "invalid_token"
            message = (_("The identity provider's answer was not issued for this sign-in "
                         "(wrong nonce). Start again.") if reason == "nonce_mismatch"
                       else _("The identity provider's token could not be verified."))
            logger.warning("OIDC callback refused: %s", exc)
            return refuse(request, reason, message)
        except requests.RequestException:
            logger.exception("OIDC token exchange failed")
            return refuse(request, "provider_unreachable",
                          _("The identity provider could not be reached. Try again later."),
                          status=503)
        if request.user.is_authenticated:
            request.session["identity_method"] = "sso"
            return response
        return refuse(request, "refused", _("Single sign-on did not sign you in."))
