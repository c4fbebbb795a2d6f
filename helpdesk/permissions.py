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
