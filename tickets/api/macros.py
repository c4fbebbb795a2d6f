"""``/api/v1/macros/`` and ``/api/v1/tickets/{id}/apply_macro/`` (docs/api.md)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api import StrictSerializer, parse_id, staff_user, validated
from helpdesk.models import User

from ..models import Macro
from ..serializers import TicketSerializer
from ..services import macros as macro_services
from .tickets import TICKET_ID, api_tickets, get_api_ticket, with_extras

MACRO_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Macro id.")


class MacroActionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=list(macro_services.ACTION_TYPES))
    value = serializers.JSONField(help_text="Text for reply/add_note; a status or priority "
                                            "value; a team id; an agent id, \"me\" or null; "
                                            "a list of tag names.")


class MacroSerializer(serializers.ModelSerializer):
    shared = serializers.BooleanField(read_only=True)
    actions = MacroActionSerializer(many=True, read_only=True)

    class Meta:
        model = Macro
        fields = ["id", "name", "shared", "owner", "actions", "created_at", "updated_at"]
        read_only_fields = fields


class MacroInputSerializer(StrictSerializer):
    """The actions' types and values are checked by the service, which names the action."""

    read_only_names = frozenset(MacroSerializer.Meta.fields)

    name = serializers.CharField(max_length=150)
    shared = serializers.BooleanField(default=False,
                                      help_text="Shared with every agent (managers only).")
    actions = serializers.ListField(child=serializers.JSONField(), allow_empty=False,
                                    max_length=len(macro_services.ACTION_TYPES))


class MacroUpdateSerializer(MacroInputSerializer):
    name = serializers.CharField(max_length=150, required=False)
    shared = serializers.BooleanField(required=False)
    actions = serializers.ListField(child=serializers.JSONField(), allow_empty=False,
                                    max_length=len(macro_services.ACTION_TYPES),
                                    required=False)


class ApplyMacroSerializer(StrictSerializer):
    macro = serializers.IntegerField(min_value=1)
    send_reply = serializers.BooleanField(
        default=True, help_text="Send the macro's reply to the customer; false returns the "
                                "filled text in `reply` instead, for the agent to edit.")


class AppliedMacroSerializer(serializers.Serializer):
    ticket = TicketSerializer()
    reply = serializers.CharField(help_text="The macro's reply with placeholders filled.")
    reply_sent = serializers.BooleanField()
    changes = serializers.DictField(help_text="Each field that changed: [old, new].")


def get_macro(user: User, pk: object) -> Macro:
    macro_id = parse_id(pk)
    macro = macro_services.visible_macros(user).filter(pk=macro_id).first() if macro_id else None
    if macro is None:
        raise Http404
    return macro


@extend_schema_view(
    get=extend_schema(summary="List the macros you may apply (shared and your own)",
                      tags=["macros"]),
    post=extend_schema(summary="Create a macro", tags=["macros"], request=MacroInputSerializer,
                       responses={201: MacroSerializer}),
)
class MacroList(generics.ListCreateAPIView):
    serializer_class = MacroSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Macro]:
        return macro_services.visible_macros(staff_user(self.request))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = validated(MacroInputSerializer, request.data)
        macro = macro_services.save_macro(actor=staff_user(request), **data)
        return Response(MacroSerializer(macro).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Read a macro", tags=["macros"], parameters=[MACRO_ID]),
    patch=extend_schema(summary="Change a macro", tags=["macros"], parameters=[MACRO_ID],
                        request=MacroUpdateSerializer, responses={200: MacroSerializer}),
    delete=extend_schema(summary="Delete a macro", tags=["macros"], parameters=[MACRO_ID]),
)
class MacroDetail(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = MacroSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_object(self) -> Macro:
        return get_macro(staff_user(self.request), self.kwargs["pk"])

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        macro = self.get_object()
        data = validated(MacroUpdateSerializer, request.data)
        macro = macro_services.save_macro(
            macro=macro, actor=staff_user(request), name=data.get("name", macro.name),
            actions=data.get("actions", macro.actions), shared=data.get("shared", macro.shared))
        return Response(MacroSerializer(macro).data)

    def perform_destroy(self, instance: Macro) -> None:
        macro_services.delete_macro(macro=instance, actor=staff_user(self.request))


class ApplyMacro(APIView):
    @extend_schema(summary="Apply a macro to a ticket", tags=["macros"], parameters=[TICKET_ID],
                   request=ApplyMacroSerializer, responses={200: AppliedMacroSerializer})
    def post(self, request: Request, pk: str) -> Response:
        ticket = get_api_ticket(staff_user(request), pk)
        data = validated(ApplyMacroSerializer, request.data)
        macro = macro_services.visible_macros(staff_user(request)).filter(pk=data["macro"]).first()
        if macro is None:
            return Response({"macro": [_("Unknown macro.")]}, status=status.HTTP_400_BAD_REQUEST)
        applied = macro_services.apply_macro(macro=macro, ticket=ticket, actor=staff_user(request),
                                             send_reply=data["send_reply"])
        ticket = with_extras([api_tickets(staff_user(request)).filter(pk=ticket.pk).first()
                              or ticket])[0]
        return Response({
            "ticket": TicketSerializer(ticket, context={"request": request}).data,
            "reply": applied.reply, "reply_sent": applied.message is not None,
            "changes": applied.changes,
        })
