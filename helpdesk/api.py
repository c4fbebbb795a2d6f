"""API-wide error handling: every error is JSON naming the field and the problem."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .permissions import is_staff_member

if TYPE_CHECKING:  # DRF's settings import this module (EXCEPTION_HANDLER)
    from .models import User

# Ids beyond a signed 64-bit integer would make PostgreSQL raise instead of "not found".
MAX_ID = 2**63 - 1


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    # Services raise Django's ValidationError; answer it like a serializer error.
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                "non_field_errors" if field == NON_FIELD_ERRORS else field:
                [str(m) for e in errs for m in e.messages]
                for field, errs in exc.error_dict.items()
            }
        else:
            detail = {"non_field_errors": [str(m) for m in exc.messages]}
        exc = exceptions.ValidationError(detail=detail)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Http404):
        response.data = {"detail": "Not found."}
    if response.status_code == status.HTTP_400_BAD_REQUEST and isinstance(response.data, list):
        response.data = {"non_field_errors": response.data}
    return response


def bad_request(field: str, message: str) -> Response:
    return Response({field: [message]}, status=status.HTTP_400_BAD_REQUEST)


def parse_id(raw: object) -> int | None:
    """A database id from a URL or query string, or None when it cannot be one."""
    text = str(raw)
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


# An input serializer that refuses fields it does not know. DRF silently drops
# unknown keys, so a client's typo ("priorty") would look like success.
# ``read_only_names`` lists fields clients see in responses but may not write, so
# the error can say so. (A comment, not a docstring: the OpenAPI schema would
# copy a docstring into every subclass's description.)
class StrictSerializer(serializers.Serializer):

    read_only_names: frozenset[str] = frozenset()

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            errors = {
                str(key): [_("This field is read-only.") if key in self.read_only_names
                           else _("Unknown field.")]
                for key in data
                if key not in writable
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


def validated(serializer_class: type[serializers.BaseSerializer], data: Any,
              **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def staff_user(request: Request) -> User:
    """The signed-in member of staff of an API request, as the ``User`` the services take.

    Every staff endpoint's permission class (``IsStaffUser`` and friends) has already
    refused anyone else; this states it to the type checker, and still answers 401/403
    if an endpoint forgot its permission class.
    """
    user = request.user
    if not user.is_authenticated:
        raise exceptions.NotAuthenticated
    if not is_staff_member(user):
        raise exceptions.PermissionDenied
    return user
