"""The insights API of docs/api.md ("Insights"): the same functions as the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from helpdesk.api import bad_request
from surveys.models import Kind
from tickets.policy import sees_all

from ..access import ScopeDenied, scope_for
from ..api import FILTER_PARAMETERS
from . import drivers, params
from .serializers import DriversSerializer, ThemesSerializer
from .themes.report import themes_report

KIND_PARAMETER = OpenApiParameter(
    "kind", str, enum=list(Kind.values), default=Kind.TRANSACTIONAL,
    description="Survey kind of the answers: transactional (after a ticket, the default) or "
                "relationship (asked in waves, no ticket). Never mixed in one figure.")


def _error(exc: ValidationError) -> Response:
    field, messages = next(iter(exc.message_dict.items()))
    return bad_request(field, messages[0])


@extend_schema(
    parameters=[*FILTER_PARAMETERS,
                OpenApiParameter("metric", str, enum=["csat", "nps", "ces"], required=True),
                KIND_PARAMETER,
                OpenApiParameter("factor", str, many=True,
                                 description="Only these factors (repeat or comma-separate): "
                                             "the built-in ones, field_<key> for an active "
                                             "custom dropdown or checkbox; a relationship "
                                             "survey has only tier")],
    responses=DriversSerializer,
)
@api_view(["GET"])
def key_drivers(request: Request) -> Response:
    """Which ticket facts go with a better or worse score (docs/insights.md)."""
    q = request.query_params
    try:
        f = params.insight_filters(q, me_id=request.user.pk,
                                   allowed=("metric", "kind", "factor"))
        metric = params.metric_param(q)
        kind = params.kind_param(q)
        available = drivers.all_factors(kind)
        factors = params.factor_param(q, [x.name for x in available])
        f = scope_for(request.user, f)
    except ValidationError as exc:
        return _error(exc)
    except ScopeDenied as exc:
        return Response({exc.field: [exc.message]}, status=status.HTTP_403_FORBIDDEN)
    return Response(drivers.key_drivers(f, metric, factors, kind=kind, available=available))


def _forbidden_unless_manager(request: Request) -> Response | None:
    if not sees_all(request.user):
        return Response({"detail": _("Only managers may see this insight.")},
                        status=status.HTTP_403_FORBIDDEN)
    return None


@extend_schema(
    parameters=[*FILTER_PARAMETERS,
                OpenApiParameter("metric", str, enum=["csat", "nps", "ces"],
                                 description="Only this metric's comments; mean_score needs it"),
                KIND_PARAMETER],
    responses=ThemesSerializer,
)
@api_view(["GET"])
def comment_themes(request: Request) -> Response:
    """Themes of the survey comments of one survey kind (managers)."""
    refused = _forbidden_unless_manager(request)
    if refused:
        return refused
    q = request.query_params
    try:
        f = params.insight_filters(q, me_id=request.user.pk, allowed=("metric", "kind"))
        metric = params.metric_param(q, default="") or None
        kind = params.kind_param(q)
    except ValidationError as exc:
        return _error(exc)
    return Response(themes_report(f, metric, kind=kind))
