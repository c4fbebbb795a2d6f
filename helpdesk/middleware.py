import zoneinfo

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.utils import timezone, translation


class UserPreferencesMiddleware:
    """Use the signed-in staff user's own language and time zone.

    Runs after authentication, so it overrides what LocaleMiddleware chose from
    the browser's Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        tz_name = getattr(user, "time_zone", "") if user and user.is_authenticated else ""
        if tz_name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(tz_name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class TrustedProxyMiddleware:
    """Behind HELPDESK_TRUSTED_PROXIES reverse proxies, REMOTE_ADDR is the nearest proxy's
    address, and every per-IP limit (sign-in lockout, reset and portal limits) would count
    all visitors as one. Each trusted proxy appends the address it received from to
    X-Forwarded-For, so the client is the entry that many places from the right; entries
    further left were written by the client and are not trusted. With no trusted
    proxies (the default) the header is ignored."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        proxies = settings.HELPDESK_TRUSTED_PROXIES
        if proxies:
            forwarded = [part.strip() for part in
                         request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
            if forwarded:
                request.META["REMOTE_ADDR"] = forwarded[-min(proxies, len(forwarded))]
        return self.get_response(request)


class RejectNulCharactersMiddleware:
    """A NUL character in the query string is never a real value, and PostgreSQL refuses
    any string that holds one (a 500 wherever a view filters on the raw parameter). Refuse
    such a request at the door with a 400 that names the parameter: JSON for the API, the
    styled error page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                return self.refuse(request, name.replace("\x00", ""))
        return self.get_response(request)

    @staticmethod
    def refuse(request, name):
        message = translation.gettext("This value may not contain a NUL character.")
        if request.path.startswith("/api/"):
            return JsonResponse({name or "query": [message]}, status=400)
        raise BadRequest(f"{name}: {message}")
