"""The Django cache, for what may be lost: a cache that does not answer is a miss.

Presence on tickets and the dashboard's computed figures live in the cache (Redis in
production). When Redis is down those features degrade (nobody is shown as present,
figures are computed on each request) instead of taking the page down with a 500.
Rate limits and single-use links do not live here: see helpdesk/throttle.py.

After a failure the cache is left alone for RETRY_AFTER seconds in this process, so an
outage costs one connection attempt per process and interval, not one per call.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

logger = logging.getLogger(__name__)


class _OneClientPerPool(RedisCacheClient):
    """Django's client builds a new ``redis.Redis`` for every operation, and building
    one fills its table of response callbacks: about a fifth of a millisecond of CPU
    per cache read on a busy 2-core machine, paid by every intake mail (the rules
    version) and every page. One client per connection pool does the same work;
    redis-py clients are thread-safe and the pool reconnects in a forked child."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """``CACHES["default"]`` with Redis: Django's backend reusing its clients."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _OneClientPerPool

RETRY_AFTER = 15.0
_down_until = 0.0


def available() -> bool:
    return time.monotonic() >= _down_until


def _failed(operation: str, exc: Exception) -> None:
    global _down_until
    _down_until = time.monotonic() + RETRY_AFTER
    logger.warning("cache %s failed, working without the cache for %ss: %r",
                   operation, RETRY_AFTER, exc)


def get(key: str, default: Any = None) -> Any:
    if not available():
        return default
    try:
        return cache.get(key, default)
    except Exception as exc:  # any backend error (redis ConnectionError, TimeoutError, …)
        _failed("get", exc)
        return default


def set(key: str, value: Any, timeout: float | None) -> bool:
    if not available():
        return False
    try:
        cache.set(key, value, timeout)
    except Exception as exc:
        _failed("set", exc)
        return False
    return True


def add(key: str, value: Any, timeout: float | None) -> bool:
    """Set the key unless it holds a value; False when it did or the cache does not answer."""
    if not available():
        return False
    try:
        return bool(cache.add(key, value, timeout))
    except Exception as exc:
        _failed("add", exc)
        return False


def delete(key: str) -> bool:
    """Remove the key; False when the cache does not answer (the copy may outlive this)."""
    if not available():
        return False
    try:
        cache.delete(key)
    except Exception as exc:
        _failed("delete", exc)
        return False
    return True


def reset() -> None:
    """Forget an earlier failure (tests; an operator after fixing Redis need not wait)."""
    global _down_until
    _down_until = 0.0
