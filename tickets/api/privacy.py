"""``/api/v1/customers/{id}/export/`` and ``/erase/`` (admins; docs/privacy.md)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import Action
from audit.services import record
from helpdesk.api import parse_id
from helpdesk.permissions import IsAdmin

from .. import privacy
from ..models import Customer


def _customer(pk: str) -> Customer:
    customer_id = parse_id(pk)
    customer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
    if customer is None:
        raise Http404
    return customer


class _AdminsOnlyAudited(IsAdmin):
    """Admins only; a signed-in staff member who is refused is recorded in the audit log."""

    refused_action = ""
    message = gettext_lazy("Only administrators may export or erase a customer's personal data.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        allowed = super().has_permission(request, view)
        if not allowed and request.user.is_authenticated:
            record(action=self.refused_action, request=request,
                   target={"type": "tickets.customer", "id": view.kwargs.get("pk", ""),
                           "label": ""})
        return allowed


class _ExportPermission(_AdminsOnlyAudited):
    refused_action = Action.EXPORT_REFUSED


class _ErasePermission(_AdminsOnlyAudited):
    refused_action = Action.ERASURE_REFUSED


class CustomerExport(APIView):
    permission_classes = [_ExportPermission]

    @extend_schema(
        summary="Everything stored about a customer, as a zip archive",
        description="One JSON file per section (customer, tickets with messages and history, "
                    "emails, survey invitations, responses and follow-ups) plus the "
                    "attachments. Admins only.",
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        customer = _customer(pk)
        return privacy.export_response(customer=customer, request=request)


class CustomerErase(APIView):
    permission_classes = [_ErasePermission]

    @extend_schema(
        summary="Erase a customer's personal data and message contents",
        description="Keeps the anonymous facts metrics need, so every figure stays the same. "
                    "Idempotent. Admins only.",
        request=None,
        responses={200: inline_serializer("ErasureResult", {
            "customer": serializers.IntegerField(),
            "erased_at": serializers.DateTimeField(),
            "sections": serializers.DictField(child=serializers.IntegerField()),
        })},
    )
    def post(self, request: Request, pk: str) -> Response:
        customer = _customer(pk)
        sections = privacy.erase_customer(customer=customer)
        record(action=Action.ERASURE, request=request,
               target=privacy.audit_target(customer),
               detail={"sections": sections})
        customer.refresh_from_db(fields=["erased_at"])
        return Response({"customer": customer.pk, "erased_at": customer.erased_at,
                         "sections": sections})
