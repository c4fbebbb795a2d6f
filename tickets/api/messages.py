"""``/api/v1/tickets/{id}/messages/``: the thread, and replies or notes by the agent;
``/api/v1/attachments/{id}/``: one attachment's file."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api import parse_id, staff_user, validated
from helpdesk.files import serve_stored_file
from helpdesk.pagination import ThreadPagination

from ..models import Attachment, Message
from ..queries import visible_tickets
from ..serializers import MessageCreateSerializer, MessageSerializer
from ..services import compose
from .tickets import TICKET_ID, get_api_ticket


@extend_schema_view(
    get=extend_schema(summary="Read a ticket's thread", tags=["messages"],
                      parameters=[TICKET_ID]),
    post=extend_schema(
        summary="Reply to a ticket or add an internal note",
        description="A public reply is emailed to the customer, its cc and bcc, with the "
                    "attachments as real MIME parts; a note (public=false) is not. Send files "
                    "as multipart/form-data. A file over the size limits or a program is a 400 "
                    "naming `attachments` and the file; a bad address a 400 naming `cc`/`bcc` "
                    "(docs/replies.md).",
        tags=["messages"], parameters=[TICKET_ID],
        request={"application/json": MessageCreateSerializer,
                 "multipart/form-data": MessageCreateSerializer},
        responses={201: MessageSerializer},
    ),
)
class TicketMessages(generics.ListCreateAPIView):
    serializer_class = MessageSerializer
    pagination_class = ThreadPagination
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Message]:
        user = staff_user(self.request)
        ticket = get_api_ticket(user, self.kwargs["pk"], queryset=visible_tickets(user).only("pk"))
        return (
            Message.objects.filter(ticket=ticket)
            .select_related("author_user", "author_customer")
            .prefetch_related("attachments")
            .order_by("created_at", "pk")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        ticket = get_api_ticket(staff_user(request), self.kwargs["pk"],
                                queryset=visible_tickets(staff_user(request)))
        data = validated(MessageCreateSerializer, request.data)
        message = compose.send_reply(ticket=ticket, agent=staff_user(request), body=data["body"],
                                     public=data["public"], files=data.get("attachments", []),
                                     cc=data.get("cc"), bcc=data.get("bcc"))
        return Response(MessageSerializer(message, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(
    summary="Download an attachment",
    description="The file as sent. Raster images (PNG, JPEG, GIF, WebP, checked by content) "
                "are served inline; everything else as application/octet-stream download.",
    tags=["messages"],
    parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="Attachment id.")],
    responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
)
class AttachmentDownload(APIView):
    def get(self, request: Request, pk: str) -> HttpResponse:
        attachment_id = parse_id(pk)
        item = (Attachment.objects.filter(pk=attachment_id,
                                          message__ticket__in=visible_tickets(staff_user(request)))
                .only("file", "filename", "content_type").first() if attachment_id else None)
        if item is None:
            raise Http404
        return serve_stored_file(item.file, filename=item.filename,
                                 content_type=item.content_type)
