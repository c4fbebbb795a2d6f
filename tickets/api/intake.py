"""``/api/v1/intake/{channel}/``: tickets from chat, social, phone and API integrations.

The caller is a machine, not a staff user: it proves itself with an HMAC-SHA256
of the raw body keyed by ``HELPDESK_INTAKE_SECRET`` in ``X-Signature``.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api import validated

from .. import services
from ..models import Channel, Customer, Message
from ..serializers import IntakeResultSerializer, IntakeSerializer

# Email and the web form have their own intake; these channels come through integrations.
INTAKE_CHANNELS = (Channel.CHAT, Channel.SOCIAL, Channel.PHONE, Channel.API)


def signature_of(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def external_key(channel: str, external_id: str) -> str:
    """Stored as the first message's Message-ID, whose index makes the repeat check cheap."""
    return f"<{channel}:{external_id}>"


class IntakeView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Receive a message from a chat, social, phone or API integration",
        description=(
            "Signed with `X-Signature: sha256=<hex HMAC-SHA256 of the raw body>` keyed by "
            "HELPDESK_INTAKE_SECRET. A repeated external_id returns the existing ticket (200)."
        ),
        tags=["intake"],
        auth=[],
        parameters=[
            OpenApiParameter("channel", str, OpenApiParameter.PATH,
                             enum=[c.value for c in INTAKE_CHANNELS]),
            OpenApiParameter("X-Signature", str, OpenApiParameter.HEADER, required=True),
        ],
        request=IntakeSerializer,
        responses={201: IntakeResultSerializer, 200: IntakeResultSerializer,
                   403: OpenApiResponse(description="Missing or bad signature."),
                   503: OpenApiResponse(description="Intake is not configured.")},
    )
    def post(self, request: Request, channel: str) -> Response:
        if channel not in INTAKE_CHANNELS:
            raise Http404
        secret = settings.HELPDESK_INTAKE_SECRET
        if not secret:
            return Response({"detail": _("Intake is not configured.")},
                            status=status.HTTP_503_SERVICE_UNAVAILABLE)
        given = request.headers.get("X-Signature", "")
        # Constant-time compare, so the signature cannot be guessed byte by byte.
        if not hmac.compare_digest(given.encode(), signature_of(request.body, secret).encode()):
            raise PermissionDenied(_("Missing or bad X-Signature."))
        data = validated(IntakeSerializer, request.data)
        message, created = receive(channel=channel, data=data)
        result = {"ticket": message.ticket_id, "reference": message.ticket.reference,
                  "message": message.pk, "created": created}
        return Response(result, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@transaction.atomic
def receive(*, channel: str, data: dict) -> tuple[Message, bool]:
    person = data["customer"]
    customer = services.get_or_create_customer(email=person["email"], name=person["name"])
    key = external_key(channel, data["external_id"]) if data["external_id"] else ""
    if key:
        # Locking the customer serialises a retried delivery racing the original.
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        seen = (Message.objects.filter(email_message_id=key, author_customer=customer)
                .select_related("ticket").first())
        if seen is not None:
            return seen, False
    ticket = services.create_ticket(subject=data["subject"], body=data["body"],
                                    customer=customer, channel=channel, email_message_id=key)
    return ticket.messages.select_related("ticket").get(), True
