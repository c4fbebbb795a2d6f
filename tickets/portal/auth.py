"""Customer sign-in for the portal: signed, expiring, single-use links; a session key.

Customers are not Django users. A signed-in customer is ``session[CUSTOMER_KEY]``;
the same browser may also hold an agent's login, which the portal ignores.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation

from helpdesk import throttle

from ..models import Customer

CUSTOMER_KEY = "portal_customer_id"
LINK_MAX_AGE_MINUTES = 30
_SALT = "tickets.portal.sign-in"


def make_sign_in_token(customer: Customer) -> str:
    # The address is part of the signed value, so changing it voids old links.
    return signing.dumps({"c": customer.pk, "e": _digest(customer.email.lower())[:16]}, salt=_SALT)


def customer_for_token(token: str) -> Customer | None:
    """The customer a valid, unexpired token names; None when tampered with or too old."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=LINK_MAX_AGE_MINUTES * 60)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        return None
    customer = Customer.objects.filter(pk=data.get("c")).first()
    if customer is None or _digest(customer.email.lower())[:16] != data.get("e"):
        return None
    return customer


def use_token(token: str) -> bool:
    """Mark the token used; False when it already was (links work once). The used state
    is a database row: a cache entry would let a second process, or a Redis restart,
    accept the same link again."""
    valid_until = timezone.now() + timedelta(minutes=LINK_MAX_AGE_MINUTES, seconds=60)
    return throttle.use_once(purpose="portal-sign-in", token=token, valid_until=valid_until)


def sign_in(request: HttpRequest, customer: Customer) -> None:
    request.session.cycle_key()  # a new session id, against session fixation
    request.session[CUSTOMER_KEY] = customer.pk


def sign_out(request: HttpRequest) -> None:
    request.session.pop(CUSTOMER_KEY, None)
    request.session.cycle_key()


def current_customer(request: HttpRequest) -> Customer | None:
    customer_id = request.session.get(CUSTOMER_KEY)
    if not customer_id:
        return None
    return Customer.objects.filter(pk=customer_id).first()


def use_customer_language(request: HttpRequest, customer: Customer | None) -> None:
    """Signed-in customers see their own language; others their browser's."""
    if customer is not None and customer.language:
        translation.activate(customer.language)
        request.LANGUAGE_CODE = customer.language


def customer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        customer = current_customer(request)
        if customer is None:
            return redirect(reverse("portal:home"))
        use_customer_language(request, customer)
        request.customer = customer
        return view(request, *args, **kwargs)

    return wrapper


def over_limit(scope: str, key: str, *, limit: int, window_seconds: int = 3600) -> bool:
    """Count one hit for (scope, key) in a sliding window; True once past ``limit``.
    Raises throttle.ThrottleUnavailable when the limit cannot be checked (see fails_closed)."""
    return not throttle.allow(scope=f"portal:{scope}", key=key, limit=limit,
                              window=timedelta(seconds=window_seconds))


def fails_closed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An abuse-prone view whose rate limit cannot be checked refuses the action with a
    503 page instead of either erroring or letting it through unlimited."""
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except throttle.ThrottleUnavailable:
            response = render(request, "portal/unavailable.html", status=503)
            response["Retry-After"] = "60"
            return response

    return wrapper


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
