"""REST API of survey responses (docs/api.md: GET /api/v1/surveys/responses/)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, renderers
from rest_framework.request import Request

from helpdesk.api import staff_user

from .export import responses_csv
from .filters import filter_responses
from .models import Response
from .queries import visible_responses
from .serializers import ResponseSerializer


class CSVRenderer(renderers.BaseRenderer):
    """Only selects ``?format=csv``; the view streams the body itself."""

    media_type = "text/csv"
    format = "csv"

    def render(self, data: Any, accepted_media_type: str | None = None,
               renderer_context: Mapping[str, Any] | None = None) -> Any:
        return data


_FILTERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day (inclusive)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (inclusive)."),
    OpenApiParameter("channel", str), OpenApiParameter("metric", str, enum=["nps", "ces", "csat"]),
    OpenApiParameter("agent", str, description="User id or `me`."),
    OpenApiParameter("team", int),
    OpenApiParameter("theme", int, description="A comment theme id (GET /api/v1/metrics/themes/)."),
    OpenApiParameter("kind", str, enum=["transactional", "relationship"],
                     description="Transactional (after a ticket) or relationship (waves)."),
]


@extend_schema(parameters=_FILTERS)
class ResponseList(generics.ListAPIView):
    """Survey responses, newest first. Agents see their teams' responses, managers all.
    ``?format=csv`` exports every matching row as CSV."""

    serializer_class = ResponseSerializer
    renderer_classes = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer, CSVRenderer]
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Response]:
        # Served by the (team|agent|channel|metric, created_at) indexes.
        user = staff_user(self.request)
        return filter_responses(visible_responses(user), self.request.query_params,
                                me_id=user.pk).order_by("-created_at", "-pk")

    # The CSV is streamed; DRF passes any HttpResponse through, its stubs say Response only.
    def list(  # type: ignore[override]
        self, request: Request, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        if request.accepted_renderer.format == "csv":
            user = staff_user(request)
            return responses_csv(visible_responses(user), request.query_params, me_id=user.pk,
                                 request=request)
        return super().list(request, *args, **kwargs)
