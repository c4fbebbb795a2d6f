"""The metrics API (docs/api.md): the same read interface as the dashboards."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from helpdesk.api import bad_request

from .access import ScopeDenied, scope_for
from .fast import read
from .filters import parse_filters
from .serializers import BreakdownSerializer, SummarySerializer

FILTER_PARAMETERS = [
    OpenApiParameter("from", str, description="First day, YYYY-MM-DD (default: 30 days ago)"),
    OpenApiParameter("to", str, description="Last day, inclusive, YYYY-MM-DD (default: today)"),
    OpenApiParameter("channel", str),
    OpenApiParameter("agent", str, description="User id or 'me'"),
    OpenApiParameter("team", int),
    OpenApiParameter("tier", str, description="Organization tier"),
    OpenApiParameter("priority", str),
]


def _filters_or_error(request: Request, by: str | None = None):
    try:
        f = parse_filters(request.query_params, me_id=request.user.pk)
        return scope_for(request.user, f, by=by), None
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        return None, bad_request(field, messages[0])
    except ScopeDenied as exc:
        return None, Response({exc.field: [exc.message]}, status=status.HTTP_403_FORBIDDEN)


@extend_schema(parameters=FILTER_PARAMETERS, responses=SummarySerializer)
@api_view(["GET"])
def summary(request: Request) -> Response:
    f, error = _filters_or_error(request)
    if error:
        return error
    return Response(read.summary(f))


@extend_schema(
    parameters=[*FILTER_PARAMETERS,
                OpenApiParameter("by", str, enum=list(read.DIMENSIONS), required=True)],
    responses=BreakdownSerializer,
)
@api_view(["GET"])
def breakdown(request: Request) -> Response:
    by = request.query_params.get("by", "")
    if by not in read.DIMENSIONS:
        return bad_request("by", _("Choose one of: %(values)s.")
                           % {"values": ", ".join(read.DIMENSIONS)})
    f, error = _filters_or_error(request, by=by)
    if error:
        return error
    return Response({"by": by, "results": read.breakdown(f, by)})
