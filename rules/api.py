"""``/api/v1/rules/``: managers list, create, read, change and delete rules."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from helpdesk.api import parse_id, validated
from helpdesk.permissions import IsManager

from . import services
from .models import Rule
from .serializers import RuleInputSerializer, RuleSerializer

RULE_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Rule id.")


@extend_schema_view(
    get=extend_schema(summary="List rules (triggers, then automations, in order)", tags=["rules"]),
    post=extend_schema(summary="Create a rule", tags=["rules"], request=RuleInputSerializer,
                       responses={201: RuleSerializer}),
)
class RuleListCreate(generics.ListCreateAPIView):
    serializer_class = RuleSerializer
    permission_classes = [IsManager]
    queryset = Rule.objects.order_by("-kind", "position", "pk")  # triggers first

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = validated(RuleInputSerializer, request.data)
        rule = services.create_rule(actor=request.user, **data)
        return Response(RuleSerializer(rule).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Read a rule", tags=["rules"], parameters=[RULE_ID]),
    patch=extend_schema(summary="Change a rule", tags=["rules"], parameters=[RULE_ID],
                        request=RuleInputSerializer(partial=True),
                        responses={200: RuleSerializer}),
    delete=extend_schema(summary="Delete a rule", tags=["rules"], parameters=[RULE_ID]),
)
class RuleDetail(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = RuleSerializer
    permission_classes = [IsManager]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_object(self) -> Rule:
        rule_id = parse_id(self.kwargs["pk"])
        rule = Rule.objects.filter(pk=rule_id).first() if rule_id else None
        if rule is None:
            raise Http404
        return rule

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        rule = self.get_object()
        data = validated(RuleInputSerializer, request.data, partial=True)
        if data.get("position", 0) is None:
            data.pop("position")
        rule = services.update_rule(rule=rule, actor=request.user, **data)
        return Response(RuleSerializer(rule).data)

    def perform_destroy(self, instance: Rule) -> None:
        services.delete_rule(rule=instance)
