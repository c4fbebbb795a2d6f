"""Rate limits and single-use links whose state lives in the database.

Abuse-prone actions (sign-in links, password resets, the public web form) are limited per
address and per IP. The state is a row per (scope, caller) in PostgreSQL, not a counter
in the cache: a limit must hold with several web processes, across restarts, and while
Redis is down (a per-process fallback would multiply the limit by the number of
processes). See docs/resilience.md.

The window slides: ``allow`` keeps the times of the allowed hits of the last window in
the row, locked while it decides, so two concurrent requests never both take the last
slot. Refused hits are not recorded, so hammering does not extend the wait.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from .models import ThrottleBucket, UsedToken

logger = logging.getLogger(__name__)

# Buckets untouched for longer than the longest window hold no hit that still counts.
STALE_AFTER = timedelta(days=1)


class ThrottleUnavailable(Exception):
    """The limit could not be checked (database error): callers refuse the action."""


def digest(value: str) -> str:
    """A caller's key (an address, an IP) as stored: case-insensitive, not in clear."""
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()


def allow(*, scope: str, key: str, limit: int, window: timedelta = timedelta(hours=1),
          now: datetime | None = None) -> bool:
    """Record one hit of ``scope`` by ``key`` and say whether it is within ``limit`` hits
    per ``window``. Raises ThrottleUnavailable when the database cannot answer, so the
    caller fails closed."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            bucket = _locked_bucket(scope, digest(key), now)
            cutoff = (now - window).timestamp()
            hits = [t for t in bucket.hits if t > cutoff]
            allowed = len(hits) < limit
            if allowed:
                hits.append(now.timestamp())
            bucket.hits, bucket.updated_at = hits, now
            bucket.save(update_fields=["hits", "updated_at"])
    except DatabaseError as exc:
        logger.error("rate limit %s could not be checked: %r", scope, exc)
        raise ThrottleUnavailable(scope) from exc
    return allowed


def _locked_bucket(scope: str, key_digest: str, now: datetime) -> ThrottleBucket:
    # Lock the row so the read-decide-write above is one step for concurrent requests;
    # the first hit of a caller creates it (a racing creator loses on the unique key
    # and then locks the winner's row).
    locked = ThrottleBucket.objects.select_for_update()
    bucket = locked.filter(scope=scope, key_digest=key_digest).first()
    if bucket is not None:
        return bucket
    try:
        with transaction.atomic():
            return ThrottleBucket.objects.create(scope=scope, key_digest=key_digest, hits=[],
                                                 updated_at=now)
    except IntegrityError:
        return locked.get(scope=scope, key_digest=key_digest)


def use_once(*, purpose: str, token: str, valid_until: datetime) -> bool:
    """Mark a single-use token used; False when it already was. One INSERT on a unique
    key decides, so of two concurrent uses (in any processes) exactly one wins."""
    try:
        with transaction.atomic():
            UsedToken.objects.create(purpose=purpose, expires_at=valid_until,
                                     digest=hashlib.sha256(token.encode()).hexdigest())
    except IntegrityError:
        return False
    return True


def prune(*, now: datetime | None = None) -> tuple[int, int]:
    """Delete buckets and used-token rows that no longer decide anything."""
    now = now or timezone.now()
    buckets, _ = ThrottleBucket.objects.filter(updated_at__lt=now - STALE_AFTER).delete()
    tokens, _ = UsedToken.objects.filter(expires_at__lt=now).delete()
    return buckets, tokens
