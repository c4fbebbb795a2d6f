"""``/api/v1/chats/`` (docs/live-chat.md, "API"): the agent side of chat over HTTP.

Every write calls the same service as the agent socket, so the API, the socket and
the inbox page never disagree; the messages are the ticket's
(``/api/v1/tickets/{id}/messages/``).
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api import StrictSerializer, bad_request, parse_id, validated
from helpdesk.permissions import IsManager
from tickets import policy

from . import queries, services
from .models import AgentChatSettings, Chat

CHAT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Chat id.")


class ChatSerializer(serializers.ModelSerializer):
    ticket = serializers.IntegerField(source="ticket_id", read_only=True)
    reference = serializers.CharField(source="ticket.reference", read_only=True)
    subject = serializers.CharField(source="ticket.subject", read_only=True)
    customer = serializers.SerializerMethodField()
    team = serializers.IntegerField(source="ticket.team_id", read_only=True, allow_null=True)
    agent_name = serializers.SerializerMethodField()

    class Meta:
        model = Chat
        fields = ["id", "status", "ticket", "reference", "subject", "customer", "team", "agent",
                  "agent_name", "started_at", "accepted_at", "first_agent_message_at",
                  "ended_at", "rated"]
        read_only_fields = fields

    def get_customer(self, chat: Chat) -> dict:
        customer = chat.ticket.customer
        return {"id": customer.pk, "name": customer.name, "email": customer.email}

    def get_agent_name(self, chat: Chat) -> str:
        return str(chat.agent) if chat.agent else ""


class ChatMessageSerializer(StrictSerializer):
    body = serializers.CharField(trim_whitespace=False, allow_blank=True)


class MessageOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class TransferSerializer(StrictSerializer):
    agent = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    team = serializers.IntegerField(required=False, allow_null=True, min_value=1)


def get_chat(user, pk) -> Chat:
    chat_id = parse_id(pk)
    chat = (queries.visible_chats(user).select_related("ticket__customer", "agent")
            .filter(pk=chat_id).first() if chat_id else None)
    if chat is None:
        raise Http404
    return chat


@extend_schema(summary="List chats (waiting and active by default)", tags=["chats"],
               parameters=[OpenApiParameter("status", str, enum=list(Chat.Status.values))])
class ChatList(generics.ListAPIView):
    serializer_class = ChatSerializer
    filter_backends: list = []

    def get_queryset(self):
        wanted = self.request.query_params.get("status") or None
        if wanted is not None and wanted not in Chat.Status.values:
            raise serializers.ValidationError(
                {"status": [_("Choose one of: %(values)s.")
                            % {"values": ", ".join(Chat.Status.values)}]})
        return queries.inbox(self.request.user, wanted)


class Accept(APIView):
    @extend_schema(summary="Accept a waiting chat (you join it)", tags=["chats"],
                   parameters=[CHAT_ID], request=None, responses={200: ChatSerializer})
    def post(self, request: Request, pk: str) -> Response:
        chat = services.accept_chat(chat=get_chat(request.user, pk), agent=request.user)
        return Response(ChatSerializer(get_chat(request.user, chat.pk)).data)


class Messages(APIView):
    @extend_schema(summary="Write in a chat (a public reply of its ticket)", tags=["chats"],
                   parameters=[CHAT_ID], request=ChatMessageSerializer,
                   responses={201: MessageOutSerializer})
    def post(self, request: Request, pk: str) -> Response:
        chat = get_chat(request.user, pk)
        data = validated(ChatMessageSerializer, request.data)
        message = services.agent_message(chat=chat, agent=request.user, body=data["body"])
        return Response({"id": message.pk, "created_at": message.created_at},
                        status=status.HTTP_201_CREATED)


class End(APIView):
    @extend_schema(summary="End a chat (solves its ticket)", tags=["chats"],
                   parameters=[CHAT_ID], request=None, responses={200: ChatSerializer})
    def post(self, request: Request, pk: str) -> Response:
        chat = services.end_chat(chat=get_chat(request.user, pk), actor=request.user)
        return Response(ChatSerializer(get_chat(request.user, chat.pk)).data)


class Transfer(APIView):
    @extend_schema(summary="Transfer a chat to another agent or team", tags=["chats"],
                   parameters=[CHAT_ID], request=TransferSerializer,
                   responses={200: ChatSerializer})
    def post(self, request: Request, pk: str) -> Response:
        chat = get_chat(request.user, pk)
        data = validated(TransferSerializer, request.data)
        agent = team = None
        if data.get("agent"):
            agent = policy.assignable_agents(request.user, chat.ticket).filter(
                pk=data["agent"]).first()
            if agent is None:
                return bad_request("agent", _("Choose an agent of the chat’s team or of "
                                              "your teams."))
        if data.get("team"):
            team = policy.allowed_teams(request.user).filter(pk=data["team"]).first()
            if team is None:
                return bad_request("team", _("Choose one of your teams."))
        services.transfer_chat(chat=chat, actor=request.user, agent=agent, team=team)
        return Response(ChatSerializer(get_chat(request.user, chat.pk)).data)




class CapacitySerializer(StrictSerializer):
    capacity = serializers.IntegerField(min_value=0, max_value=50)


class AgentCapacityOut(serializers.Serializer):
    agent = serializers.IntegerField()
    name = serializers.CharField()
    capacity = serializers.IntegerField()
    active_chats = serializers.IntegerField()


def _capacity_rows(agents) -> list[dict]:
    """Each agent's capacity and active chats: two queries for any number of agents."""
    from django.conf import settings
    from django.db.models import Count, Q

    agents = list(agents.annotate(
        active=Count("chats", filter=Q(chats__status=Chat.Status.ACTIVE))).order_by("name", "pk"))
    own = dict(AgentChatSettings.objects.filter(agent__in=[a.pk for a in agents])
               .values_list("agent_id", "capacity"))
    return [{"agent": a.pk, "name": str(a), "active_chats": a.active,
             "capacity": own.get(a.pk, settings.HELPDESK_CHAT_CAPACITY)} for a in agents]


class CapacityList(APIView):
    """Managers: each agent's chat capacity (docs/live-chat.md, "Assignment")."""

    permission_classes = [IsManager]

    @extend_schema(summary="Agents' chat capacity", tags=["chats"],
                   responses={200: AgentCapacityOut(many=True)})
    def get(self, request: Request) -> Response:
        return Response(_capacity_rows(policy.assignable_agents(request.user)))


class CapacityDetail(APIView):
    permission_classes = [IsManager]

    @extend_schema(summary="Set an agent's chat capacity", tags=["chats"],
                   parameters=[OpenApiParameter("agent", int, OpenApiParameter.PATH)],
                   request=CapacitySerializer, responses={200: AgentCapacityOut})
    def put(self, request: Request, agent: str) -> Response:
        agent_id = parse_id(agent)
        who = policy.assignable_agents(request.user).filter(pk=agent_id) if agent_id else None
        if not who or not who.exists():
            raise Http404
        data = validated(CapacitySerializer, request.data)
        services.set_chat_capacity(actor=request.user, agent=who.get(), capacity=data["capacity"])
        return Response(_capacity_rows(who)[0])
