"""``/api/v1/tickets/{id}/messages/``: the thread, and replies or notes by the agent."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from helpdesk.api import validated
from helpdesk.pagination import ThreadPagination

from .. import services
from ..models import Message
from ..queries import visible_tickets
from ..serializers import MessageCreateSerializer, MessageSerializer
from .tickets import TICKET_ID, get_api_ticket


@extend_schema_view(
    get=extend_schema(summary="Read a ticket's thread", tags=["messages"],
                      parameters=[TICKET_ID]),
    post=extend_schema(
        summary="Reply to a ticket or add an internal note",
        description="A public reply is emailed to the customer; a note (public=false) is not.",
        tags=["messages"], parameters=[TICKET_ID], request=MessageCreateSerializer,
        responses={201: MessageSerializer},
    ),
)
class TicketMessages(generics.ListCreateAPIView):
    serializer_class = MessageSerializer
    pagination_class = ThreadPagination
    filter_backends: list = []

    def get_queryset(self):
        user = self.request.user
        ticket = get_api_ticket(user, self.kwargs["pk"], queryset=visible_tickets(user).only("pk"))
        return (
            Message.objects.filter(ticket=ticket)
            .select_related("author_user", "author_customer")
            .prefetch_related("attachments")
            .order_by("created_at", "pk")
        )

    def create(self, request: Request, *args, **kwargs) -> Response:
        ticket = get_api_ticket(request.user, self.kwargs["pk"],
                                queryset=visible_tickets(request.user))
        data = validated(MessageCreateSerializer, request.data)
        message = services.reply_to_ticket(ticket=ticket, agent=request.user,
                                           body=data["body"], public=data["public"])
        return Response(MessageSerializer(message, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)
