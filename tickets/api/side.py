"""``/api/v1/tickets/{id}/forward/``: side conversations of a ticket (docs/replies.md)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from helpdesk.api import staff_user, validated

from ..models import SideConversation
from ..queries import visible_tickets
from ..serializers import ForwardSerializer, SideConversationSerializer
from ..services import side
from .tickets import TICKET_ID, get_api_ticket


@extend_schema_view(
    get=extend_schema(summary="List a ticket's side conversations", tags=["messages"],
                      parameters=[TICKET_ID]),
    post=extend_schema(
        summary="Forward the ticket or one message as a side conversation",
        description="Emails the ticket's public thread (or one message, with its files) to "
                    "`to`. Answers come back as internal notes on the ticket and are never "
                    "emailed to the customer. An invalid address is a 400 naming `to`.",
        tags=["messages"], parameters=[TICKET_ID], request=ForwardSerializer,
        responses={201: SideConversationSerializer},
    ),
)
class TicketForward(generics.ListCreateAPIView):
    serializer_class = SideConversationSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[SideConversation]:
        user = staff_user(self.request)
        ticket = get_api_ticket(user, self.kwargs["pk"], queryset=visible_tickets(user).only("pk"))
        return SideConversation.objects.filter(ticket=ticket).order_by("created_at", "pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ticket = get_api_ticket(staff_user(request), self.kwargs["pk"],
                                queryset=visible_tickets(staff_user(request)))
        data = validated(ForwardSerializer, request.data)
        message = None
        if data["message"] is not None:
            message = ticket.messages.filter(pk=data["message"]).first()
            if message is None:
                return Response({"message": ["That message is not on this ticket."]},
                                status=status.HTTP_400_BAD_REQUEST)
        sent = side.forward_ticket(ticket=ticket, agent=staff_user(request), to=data["to"],
                                   body=data["body"], message=message)
        return Response(SideConversationSerializer(sent).data, status=status.HTTP_201_CREATED)
