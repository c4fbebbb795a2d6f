from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from helpdesk.permissions import is_staff_member


def staff_required(view=None, *, managers_only: bool = False):
    """Agents, managers and admins (or only managers and admins); anonymous → login."""
    def decorator(func):
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_staff_member(request.user):
                raise PermissionDenied
            if request.user.is_analyst:  # follow-ups and programs are customer work (docs/roles.md)
                raise PermissionDenied
            if managers_only and not request.user.sees_all_tickets:
                raise PermissionDenied
            return func(request, *args, **kwargs)
        return wrapper
    return decorator(view) if view else decorator
