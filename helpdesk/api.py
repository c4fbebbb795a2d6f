"""API-wide error handling: every error is JSON naming the field and the problem."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    # Services raise Django's ValidationError; answer it like a serializer error.
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {field: [str(m) for e in errs for m in e.messages]
                      for field, errs in exc.error_dict.items()}
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
