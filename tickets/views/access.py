"""Who may use the agent workspace: signed-in staff (agents, managers, admins)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from helpdesk.permissions import is_staff_member


def staff_required(view):
    """Login required, then a staff role. A customer's portal session is not a
    staff login, so it is sent to the staff login page like anyone else."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
