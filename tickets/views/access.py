"""Who may use the agent workspace: signed-in staff (agents, managers, admins)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from helpdesk.permissions import is_staff_member


def staff_required(view=None, *, analysts: bool = False):
    """Login required, then a staff role. A customer's portal session is not a
    staff login, so it is sent to the staff login page like anyone else. Analysts
    (figures only, docs/roles.md) are refused unless ``analysts=True`` (personal
    settings); the queue at "/" sends them to the dashboard instead."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_staff_member(request.user):
                raise PermissionDenied
            if request.user.is_analyst and not analysts:
                if request.path == "/":
                    return redirect("metrics:dashboard")
                raise PermissionDenied(_("Analysts see figures, not tickets."))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator
