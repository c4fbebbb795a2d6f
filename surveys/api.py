"""REST API of survey responses (docs/api.md: GET /api/v1/surveys/responses/)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, renderers

from .export import responses_csv
from .filters import filter_responses
from .queries import visible_responses
from .serializers import ResponseSerializer


class CSVRenderer(renderers.BaseRenderer):
    """Only selects ``?format=csv``; the view streams the body itself."""

    media_type = "text/csv"
    format = "csv"

    def render(self, data, accepted_media_type=None, renderer_context=None):
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

    def get_queryset(self):
        # Served by the (team|agent|channel|metric, created_at) indexes.
        return filter_responses(visible_responses(self.request.user), self.request.query_params,
                                me_id=self.request.user.pk).order_by("-created_at", "-pk")

    def list(self, request, *args, **kwargs):
        if request.accepted_renderer.format == "csv":
            return responses_csv(visible_responses(request.user), request.query_params,
                                 me_id=request.user.pk)
        return super().list(request, *args, **kwargs)
