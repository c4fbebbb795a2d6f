"""Customer sign-in for the portal: signed, expiring, single-use links; a session key.

Customers are not Django users. A signed-in customer is ``session[CUSTOMER_KEY]``;
the same browser may also hold an agent's login, which the portal ignores.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

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
    """Mark the token used; False when it already was (links work once)."""
    return cache.add(f"portal:used:{_digest(token)}", 1, LINK_MAX_AGE_MINUTES * 60 + 60)


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
    """Count one hit for (scope, key) in a fixed window; True once past ``limit``."""
    cache_key = f"portal:rate:{scope}:{_digest(key.lower())}"
    if cache.add(cache_key, 1, window_seconds):
        return limit < 1
    try:
        return cache.incr(cache_key) > limit
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, window_seconds)
        return limit < 1


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR", "")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
