"""``/api/v1/teams/`` and ``/api/v1/agents/me/``: assignment modes, availability, capacity."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from helpdesk.api import StrictSerializer, parse_id, staff_user, validated
from helpdesk.models import User
from helpdesk.permissions import IsManager, IsStaffUser

from ..models import Team, TeamMembership
from ..services import assignment


class TeamSerializer(serializers.ModelSerializer):
    members = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = ["id", "name", "assignment", "members"]
        read_only_fields = fields

    def get_members(self, team: Team) -> list[int]:
        return sorted(m.user_id for m in team.memberships.all())  # prefetched


class TeamUpdateSerializer(StrictSerializer):
    read_only_names = frozenset(TeamSerializer.Meta.fields)

    assignment = serializers.ChoiceField(choices=Team.Assignment.choices)


class AgentSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "name", "email", "role", "availability", "capacity"]
        read_only_fields = fields


class AgentUpdateSerializer(StrictSerializer):
    read_only_names = frozenset(AgentSerializer.Meta.fields)

    availability = serializers.ChoiceField(choices=User.Availability.choices, required=False)
    capacity = serializers.IntegerField(
        min_value=0, max_value=10_000, required=False, allow_null=True,
        help_text="Open tickets the agent may hold from automatic assignment; null = "
                  "unlimited. Only managers and admins may change it.")


def teams() -> QuerySet[Team]:
    return Team.objects.order_by("name").prefetch_related(
        Prefetch("memberships", queryset=TeamMembership.objects.only("team_id", "user_id")))


@extend_schema_view(get=extend_schema(summary="List teams", tags=["teams"]))
class TeamList(generics.ListAPIView):
    """Every team with its assignment mode and member ids."""

    serializer_class = TeamSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Team]:
        return teams()


@extend_schema_view(
    get=extend_schema(summary="Read a team", tags=["teams"]),
    patch=extend_schema(summary="Change a team's assignment mode (managers)", tags=["teams"],
                        request=TeamUpdateSerializer, responses={200: TeamSerializer}),
)
class TeamDetail(generics.RetrieveUpdateAPIView):
    serializer_class = TeamSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "PATCH":
            return [IsManager()]
        return [IsStaffUser()]

    def get_object(self) -> Team:
        team = teams().filter(pk=parse_id(self.kwargs["pk"]) or 0).first()
        if team is None:
            raise Http404
        return team

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        team = self.get_object()
        data = validated(TeamUpdateSerializer, request.data)
        assignment.set_assignment_mode(team=team, mode=data["assignment"])
        return Response(TeamSerializer(self.get_object()).data)


@extend_schema_view(
    get=extend_schema(summary="The signed-in agent", tags=["teams"]),
    patch=extend_schema(summary="Set my availability (and, for managers, capacity)",
                        tags=["teams"], request=AgentUpdateSerializer,
                        responses={200: AgentSerializer}),
)
class AgentMe(generics.RetrieveUpdateAPIView):
    serializer_class = AgentSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> User:
        return staff_user(self.request)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(AgentUpdateSerializer, request.data)
        agent = staff_user(request)
        if "capacity" in data and not agent.sees_all_tickets:
            raise serializers.ValidationError(
                {"capacity": [_("Only managers and admins may change capacity.")]})
        assignment.set_availability(agent=agent, availability=data.get("availability"),
                                    capacity=data.get("capacity", ...))
        return Response(AgentSerializer(agent).data)
