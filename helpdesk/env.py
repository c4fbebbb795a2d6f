"""Strict readers for deployable settings.

Every reader raises ImproperlyConfigured naming the variable when its value is
malformed, so a typo in production fails at start instead of at 3 a.m.
"""

import os
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false/1/0), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_url(name: str, default: str = "", *, schemes: tuple[str, ...] = ()) -> str:
    raw = os.environ.get(name, default)
    if not raw:
        return raw
    parsed = urlparse(raw)
    if not parsed.scheme or (schemes and parsed.scheme not in schemes):
        allowed = ", ".join(schemes) or "any scheme"
        raise ImproperlyConfigured(f"{name} must be a URL ({allowed}), got {raw!r}")
    if parsed.scheme not in ("sqlite", "file") and not parsed.netloc:
        raise ImproperlyConfigured(f"{name} must name a host, got {raw!r}")
    return raw


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = os.environ.get(name, default)
    if raw not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_email(name: str, default: str) -> str:
    raw = os.environ.get(name, default)
    address = raw.rsplit("<", 1)[-1].rstrip(">").strip()
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        raise ImproperlyConfigured(f"{name} must be an email address, got {raw!r}")
    return raw


def env_timezone(name: str, default: str) -> str:
    import zoneinfo

    raw = os.environ.get(name, default)
    try:
        zoneinfo.ZoneInfo(raw)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name} must be an IANA time zone, got {raw!r}") from None
    return raw
