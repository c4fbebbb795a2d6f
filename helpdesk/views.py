import hmac
import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .permissions import is_staff_member


def _check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor, "ms": _ms(started)}
    except Exception as exc:
        return {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}


def _check_broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.REDIS_URL:
        return {"ok": True, "mode": "eager"}
    started = time.monotonic()
    try:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        return {"ok": True, "mode": "redis", "ms": _ms(started)}
    except Exception as exc:
        return {"ok": False, "mode": "redis", "error": exc.__class__.__name__}


def _ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def may_see_detail(request) -> bool:
    """Staff signed in, or the monitoring token (HELPDESK_HEALTH_TOKEN) as a Bearer token.
    Anyone else learns only ok/unavailable: versions, vendors, timings and error classes
    help an attacker more than a load balancer."""
    user = getattr(request, "user", None)
    if user is not None and is_staff_member(user):
        return True
    token = settings.HELPDESK_HEALTH_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode())


@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness for load balancers: 200 when the database and broker answer."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if healthy else "unavailable"}
    if may_see_detail(request):
        body.update(checks)
    return JsonResponse(body, status=200 if healthy else 503)
