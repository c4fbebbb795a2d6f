from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeGuard

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect
from rest_framework.permissions import BasePermission

if TYPE_CHECKING:  # DRF's settings import this module: importing its views here is a cycle
    from rest_framework.request import Request
    from rest_framework.views import APIView

    from .models import User

View = Callable[..., HttpResponseBase]


def is_staff_member(user: object) -> TypeGuard[User]:
    """Agents, managers and admins: active users with a staff role."""
    return bool(user and getattr(user, "is_authenticated", False)
                and getattr(user, "is_active", False) and getattr(user, "role", None))


class IsStaffUser(BasePermission):
    """The API is for support staff; customers use the portal."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_staff_member(request.user)


class IsManager(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return is_staff_member(user) and user.sees_all_tickets


def is_admin(user: object) -> bool:
    return is_staff_member(user) and (user.is_superuser or user.role == user.Role.ADMIN)


class IsAdmin(BasePermission):
    """Installation-wide powers: personal data export and erasure, webhooks."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_admin(request.user)


def _to_sign_in(request: HttpRequest) -> HttpResponseBase:
    """The sign-in page, coming back here afterwards. A request htmx makes from a page
    (a panel loading, presence polling) after the session ended would otherwise swap
    the sign-in form into the panel: the whole page goes to sign-in instead, and
    returns to the page the agent was on."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted:
        back = htmx.current_url_abs_path or request.get_full_path()
        return HttpResponseClientRedirect(redirect_to_login(back).url)
    return redirect_to_login(request.get_full_path())


def staff_required(view: View | None = None, *, analysts: bool = False,
                   managers_only: bool = False) -> View | Callable[[View], View]:
    """The one gate of every staff page (docs/roles.md). Anonymous visitors, and customers
    with a portal session, are sent to the staff sign-in page; other non-staff get 403.

    - Analysts (figures only) are refused unless ``analysts=True``; on the queue at "/"
      they are sent to the dashboard instead.
    - ``managers_only``: managers and admins, plus analysts where ``analysts=True`` (the
      installation-wide figures); agents are refused.
    """

    def decorator(func: View) -> View:
        @wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return _to_sign_in(request)
            if not is_staff_member(user):
                raise PermissionDenied
            if user.is_analyst and not analysts:
                if request.path == "/":
                    return redirect("metrics:dashboard")
                raise PermissionDenied(_("Analysts see figures, not tickets."))
            if managers_only and not (user.sees_all_figures if analysts
                                      else user.sees_all_tickets):
                raise PermissionDenied(_("This page is for managers and administrators."))
            return func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator
