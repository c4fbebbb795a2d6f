from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission


def is_staff_member(user) -> bool:
    """Agents, managers and admins: active users with a staff role."""
    return bool(user and user.is_authenticated and user.is_active and getattr(user, "role", None))


class IsStaffUser(BasePermission):
    """The API is for support staff; customers use the portal."""

    def has_permission(self, request, view) -> bool:
        return is_staff_member(request.user)


class IsManager(BasePermission):
    def has_permission(self, request, view) -> bool:
        return is_staff_member(request.user) and request.user.sees_all_tickets


def is_admin(user) -> bool:
    return is_staff_member(user) and (user.is_superuser or user.role == user.Role.ADMIN)


class IsAdmin(BasePermission):
    """Installation-wide powers: personal data export and erasure, webhooks."""

    def has_permission(self, request, view) -> bool:
        return is_admin(request.user)


def staff_required(view=None, *, analysts: bool = False, managers_only: bool = False):
    """The one gate of every staff page (docs/roles.md). Anonymous visitors, and customers
    with a portal session, are sent to the staff sign-in page; other non-staff get 403.

    - Analysts (figures only) are refused unless ``analysts=True``; on the queue at "/"
      they are sent to the dashboard instead.
    - ``managers_only``: managers and admins, plus analysts where ``analysts=True`` (the
      installation-wide figures); agents are refused.
    """

    def decorator(func):
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
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
