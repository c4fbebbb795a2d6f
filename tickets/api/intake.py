"""``/api/v1/intake/{channel}/``: tickets from chat, social, phone and API integrations.

The caller is a machine, not a staff user: it proves itself with an HMAC-SHA256
keyed by ``HELPDESK_INTAKE_SECRET`` in ``X-Signature``. The signed text is
``"<X-Timestamp>.<X-Nonce>." + raw body``; a timestamp outside the accepted window
or a nonce seen before is refused, so a captured request cannot be played again.
The older body-only signature is still accepted for bodies with an ``external_id``,
whose repeats are idempotent (see docs/email-delivery.md, "Intake webhook").
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api import validated

from .. import services
from ..models import Channel, Customer, IntakeNonce, Message
from ..serializers import IntakeResultSerializer, IntakeSerializer

# Email and the web form have their own intake; these channels come through integrations.
INTAKE_CHANNELS = (Channel.CHAT, Channel.SOCIAL, Channel.PHONE, Channel.API)
NONCE = re.compile(r"[A-Za-z0-9._~-]{16,64}")


class Refused(Exception):
    """A signed request that must not be processed: 401 naming the header at fault."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field, self.detail = field, detail


class ExternalIdConflict(Exception):
    def __init__(self, message: Message) -> None:
        super().__init__(message.ticket.reference)
        self.message = message


def signature_of(body: bytes, secret: str, *, timestamp: str = "", nonce: str = "") -> str:
    """``sha256=<hex>`` of ``"<timestamp>.<nonce>." + body``; of the body alone when both are
    empty (the original scheme, accepted only for bodies with an external_id)."""
    signed = f"{timestamp}.{nonce}.".encode() + body if timestamp or nonce else body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def external_key(channel: str, external_id: str) -> str:
    """Stored as the first message's Message-ID, whose index makes the repeat check cheap."""
    return f"<{channel}:{external_id}>"


def _replay_headers(request: Request) -> tuple[str, str]:
    """(timestamp, nonce) as sent; both empty for the original scheme; 400 when malformed."""
    timestamp = request.headers.get("X-Timestamp", "").strip()
    nonce = request.headers.get("X-Nonce", "").strip()
    errors = {}
    if timestamp and not timestamp.isdigit():
        errors["X-Timestamp"] = [_("Send the time of signing as whole seconds since 1970 (UTC).")]
    if nonce and not NONCE.fullmatch(nonce):
        errors["X-Nonce"] = [_("Send 16 to 64 random characters (letters, digits, . _ ~ -).")]
    if bool(timestamp) != bool(nonce):
        missing = "X-Nonce" if timestamp else "X-Timestamp"
        errors.setdefault(missing, [_("X-Timestamp and X-Nonce are sent together.")])
    if errors:
        raise ValidationError(errors)
    return timestamp, nonce


def check_freshness(timestamp: str, *, now: float | None = None) -> None:
    skew = abs((now if now is not None else time.time()) - int(timestamp))
    if skew > settings.HELPDESK_INTAKE_MAX_SKEW:
        raise Refused("X-Timestamp", _(
            "The request was signed %(seconds)s seconds away from the server's clock; at most "
            "%(limit)s are accepted. Sign each request when you send it.")
            % {"seconds": int(skew), "limit": settings.HELPDESK_INTAKE_MAX_SKEW})


def use_nonce(nonce: str) -> None:
    """Record the nonce, or refuse it when it was used before (the unique row decides races)."""
    try:
        with transaction.atomic():
            IntakeNonce.objects.create(nonce=nonce)
    except IntegrityError:
        raise Refused("X-Nonce", _("This nonce was already used: the request is a replay.")) \
            from None


def forget_old_nonces(*, now: datetime | None = None) -> int:
    """Delete nonces whose timestamps the window refuses anyway (beat runs this)."""
    now = now or timezone.now()
    keep = timedelta(seconds=2 * settings.HELPDESK_INTAKE_MAX_SKEW)
    deleted, _ = IntakeNonce.objects.filter(received_at__lt=now - keep).delete()
    return deleted


class IntakeView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Receive a message from a chat, social, phone or API integration",
        description=(
            "Signed with `X-Timestamp` (seconds since 1970), `X-Nonce` (16–64 random "
            "characters, never reused) and `X-Signature: sha256=<hex HMAC-SHA256 of "
            "\"<X-Timestamp>.<X-Nonce>.\" + raw body>` keyed by HELPDESK_INTAKE_SECRET. "
            "A timestamp more than HELPDESK_INTAKE_MAX_SKEW seconds off or a reused nonce is "
            "401. A body with external_id may still be signed the original way (HMAC of the "
            "body alone). A repeated external_id with the same subject and body returns the "
            "existing ticket (200); with another subject or body it is 409."
        ),
        tags=["intake"],
        auth=[],
        parameters=[
            OpenApiParameter("channel", str, OpenApiParameter.PATH,
                             enum=[c.value for c in INTAKE_CHANNELS]),
            OpenApiParameter("X-Signature", str, OpenApiParameter.HEADER, required=True),
            OpenApiParameter("X-Timestamp", int, OpenApiParameter.HEADER),
            OpenApiParameter("X-Nonce", str, OpenApiParameter.HEADER),
        ],
        request=IntakeSerializer,
        responses={201: IntakeResultSerializer, 200: IntakeResultSerializer,
                   400: OpenApiResponse(description="Malformed header or body, by name."),
                   401: OpenApiResponse(description="Stale timestamp or reused nonce."),
                   403: OpenApiResponse(description="Missing or bad signature."),
                   409: OpenApiResponse(description="external_id used for another message."),
                   503: OpenApiResponse(description="Intake is not configured.")},
    )
    def post(self, request: Request, channel: str) -> Response:
        if channel not in INTAKE_CHANNELS:
            raise Http404
        secret = settings.HELPDESK_INTAKE_SECRET
        if not secret:
            return Response({"detail": _("Intake is not configured.")},
                            status=status.HTTP_503_SERVICE_UNAVAILABLE)
        timestamp, nonce = _replay_headers(request)
        given = request.headers.get("X-Signature", "")
        expected = signature_of(request.body, secret, timestamp=timestamp, nonce=nonce)
        # Constant-time compare, so the signature cannot be guessed byte by byte.
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise PermissionDenied(_("Missing or bad X-Signature."))
        data = validated(IntakeSerializer, request.data)
        try:
            if timestamp:
                check_freshness(timestamp)
            elif not (data["external_id"] and settings.HELPDESK_INTAKE_LEGACY_SIGNATURES):
                raise Refused("X-Timestamp", _(
                    "Sign X-Timestamp and X-Nonce with the body: without them the request "
                    "could be played again."))
            message, created = receive(channel=channel, data=data, nonce=nonce)
        except Refused as refused:
            return Response({refused.field: [refused.detail]},
                            status=status.HTTP_401_UNAUTHORIZED,
                            headers={"WWW-Authenticate": 'HMAC-SHA256 realm="intake"'})
        except ExternalIdConflict as conflict:
            return Response({"external_id": [_(
                "This external_id was already used for a different message (ticket "
                "%(reference)s). Send a new external_id for a new message.")
                % {"reference": conflict.message.ticket.reference}]},
                status=status.HTTP_409_CONFLICT)
        result = {"ticket": message.ticket_id, "reference": message.ticket.reference,
                  "message": message.pk, "created": created}
        return Response(result, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _same_message(seen: Message, data: dict) -> bool:
    subject = (data["subject"] or "").strip()[:255]
    return seen.body_text == data["body"] and (seen.ticket.subject == subject or not subject)


@transaction.atomic
def receive(*, channel: str, data: dict, nonce: str = "") -> tuple[Message, bool]:
    """Open the ticket, or return the one a retry of the same message opened.

    A repeated external_id is a retry only with the same sender, subject and body;
    anything else is refused with ExternalIdConflict rather than silently dropped.
    The nonce is recorded in this transaction, so a request that fails can be sent again.
    """
    if nonce:
        use_nonce(nonce)
    person = data["customer"]
    customer = services.get_or_create_customer(email=person["email"], name=person["name"])
    key = external_key(channel, data["external_id"]) if data["external_id"] else ""
    if key:
        # Locking the customer serialises a retried delivery racing the original.
        Customer.objects.select_for_update().filter(pk=customer.pk).first()
        seen = (Message.objects.filter(email_message_id=key, author_customer=customer)
                .select_related("ticket").first())
        if seen is not None:
            if not _same_message(seen, data):
                raise ExternalIdConflict(seen)
            return seen, False
    ticket = services.create_ticket(services.NewTicket(
        subject=data["subject"], body=data["body"], customer=customer, channel=channel,
        email=services.EmailDetails(message_id=key)))
    return ticket.messages.select_related("ticket").get(), True
