"""Creating and revoking API tokens. The key is returned once, by ``create_api_token``;
only its digest is stored."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record

from .models import ApiToken, digest_key


def new_key() -> str:
    return secrets.token_hex(20)  # 40 characters, like DRF's tokens


@transaction.atomic
def create_api_token(*, user, name: str, scope: str = ApiToken.Scope.WRITE, actor=None,
                     request=None) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it and its key (shown to the user once)."""
    key = new_key()
    token = ApiToken.objects.create(user=user, name=name.strip()[:80], scope=scope,
                                    key_digest=digest_key(key), prefix=key[:8])
    record(action=Action.TOKEN_CREATED, actor=actor or user, request=request, target=token,
           detail={"user": user.email, "scope": scope, "name": token.name})
    return token, key


@transaction.atomic
def revoke_api_token(*, token: ApiToken, actor=None, request=None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(action=Action.TOKEN_REVOKED, actor=actor, request=request, target=token,
               detail={"user": token.user.email, "name": token.name})
    return token


def active_tokens(user):
    return ApiToken.objects.filter(user=user, revoked_at=None)
