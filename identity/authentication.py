"""``Authorization: Token <key>`` against named, hashed tokens (identity.models.ApiToken).

A read-only token is refused (403) on any unsafe method here, in authentication, so that
it holds for every endpoint whatever its permission classes.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import SAFE_METHODS

from .models import ApiToken, digest_key

# Write last_used_at at most this often per token: a busy integration must not turn
# every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    keyword = "Token"
    model = ApiToken

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and result[1].read_only and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(
                _("This API token is read-only; use a read-write token to make changes."))
        return result

    def authenticate_credentials(self, key):
        token = (ApiToken.objects.select_related("user")
                 .filter(key_digest=digest_key(key), revoked_at=None).first())
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token
