"""Writing to the audit log. One entry point, ``record``, for every app (docs/identity.md).

Later features (customer export and erasure, retention jobs) record like this::

    from audit.models import Action
    from audit.services import record
    record(action=Action.EXPORT, actor=request.user, request=request, target=customer,
           detail={"kind": "customer_export"})

``request`` gives the IP and user agent; when a caller has none (a signal receiver, a
service called from a view), the request of the current thread, kept by
``audit.middleware.AuditContextMiddleware``, is used.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

from django.db import DatabaseError, transaction

from .models import AuditEntry

logger = logging.getLogger(__name__)

current_request: ContextVar = ContextVar("audit_current_request", default=None)


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: TrustedProxyMiddleware rewrites it behind trusted proxies.
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def _target_fields(target) -> dict:
    if target is None:
        return {}
    if isinstance(target, dict):
        return {"target_type": target.get("type", ""), "target_id": str(target.get("id", "")),
                "target_label": str(target.get("label", ""))[:200]}
    meta = target._meta
    return {"target_type": f"{meta.app_label}.{meta.model_name}", "target_id": str(target.pk),
            "target_label": _label(target)}


def _label(target) -> str:
    """``str(target)``; a row just saved with raw values (a time given as "08:00") may not
    format yet, and recording must never break the save: then its kind and id."""
    try:
        return str(target)[:200]
    except (TypeError, ValueError, AttributeError):
        return f"{target._meta.verbose_name} #{target.pk}"[:200]


def record(*, action: str, actor=None, request=None, target=None, detail: dict | None = None,
           actor_email: str = "") -> AuditEntry | None:
    """Append one entry. ``actor`` defaults to the request's signed-in user; ``target`` is
    a model instance or ``{"type", "id", "label"}``; ``detail`` is JSON. Never raises for
    a database error (the action it records has happened; the error is logged)."""
    request = request if request is not None else current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    entry = AuditEntry(
        action=action, actor=actor,
        actor_email=(getattr(actor, "email", "") or actor_email)[:254],
        ip=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300],
        detail=detail or {}, **_target_fields(target))
    try:
        with transaction.atomic():  # a savepoint: a failed write leaves the caller's transaction usable
            entry.save()
    except DatabaseError:
        logger.exception("audit entry %s could not be written", action)
        return None
    return entry
