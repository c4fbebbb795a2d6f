"""``/api/v1/customers/{id}/export/`` and ``/erase/``, and the retention periods at
``/api/v1/privacy/retention/`` (admins; docs/privacy.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import Action
from audit.services import record
from helpdesk.api import StrictSerializer, parse_id, staff_user, validated
from helpdesk.permissions import IsAdmin

from .. import privacy
from ..models import Customer, RetentionPolicy
from ..models.retention import MAX_CLOSED_TICKET_MONTHS, MAX_QUARANTINE_DAYS


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


# Retention periods ------------------------------------------------------------------------


class _RetentionAdminsOnly(IsAdmin):
    message = gettext_lazy("Only administrators may view or change the data retention "
                           "settings.")


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer or null: no strings, decimals or booleans."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class RetentionUpdateSerializer(StrictSerializer):
    closed_ticket_months = StrictIntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_CLOSED_TICKET_MONTHS,
        help_text="Months after closing before a ticket's contents are erased; 0 keeps "
                  "forever; null uses the environment default.")
    quarantine_days = StrictIntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_QUARANTINE_DAYS,
        help_text="Days before quarantined raw email is deleted; 0 keeps forever; null uses "
                  "the environment default.")


def _periods(name: str) -> serializers.Serializer:
    return inline_serializer(name, {"closed_ticket_months": serializers.IntegerField(),
                                    "quarantine_days": serializers.IntegerField()})


RetentionSchema = inline_serializer("RetentionSettings", {
    "closed_ticket_months": serializers.IntegerField(allow_null=True),
    "quarantine_days": serializers.IntegerField(allow_null=True),
    "effective": _periods("RetentionEffective"),
    "defaults": _periods("RetentionDefaults"),
})


def _retention_body() -> dict:
    policy = RetentionPolicy.current()
    return {
        "closed_ticket_months": policy.stored_closed_ticket_months,
        "quarantine_days": policy.stored_quarantine_days,
        "effective": {"closed_ticket_months": policy.closed_ticket_months,
                      "quarantine_days": policy.quarantine_days},
        "defaults": {"closed_ticket_months": settings.HELPDESK_RETENTION_CLOSED_MONTHS,
                     "quarantine_days": settings.HELPDESK_RETENTION_QUARANTINE_DAYS},
    }


class RetentionSettings(APIView):
    permission_classes = [_RetentionAdminsOnly]
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(
        summary="The data retention periods",
        description="The stored values (null: the environment default is used), the "
                    "periods in force and the environment defaults. 0 keeps forever. "
                    "Admins only.",
        tags=["privacy"], responses={200: RetentionSchema},
    )
    def get(self, request: Request) -> Response:
        return Response(_retention_body())

    @extend_schema(
        summary="Change the data retention periods",
        description="Send either or both fields; null returns a field to the environment "
                    "default. Months 0–1200, days 0–3650. Recorded in the audit log. "
                    "Admins only.",
        tags=["privacy"], request=RetentionUpdateSerializer, responses={200: RetentionSchema},
    )
    def patch(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": [_("Send a JSON object.")]})
        # What GET returned may be sent back as it is: the computed parts are ignored.
        sent = {k: v for k, v in request.data.items() if k not in ("effective", "defaults")}
        data = validated(RetentionUpdateSerializer, sent)
        with transaction.atomic():
            policy = RetentionPolicy.objects.select_for_update().filter(
                pk=RetentionPolicy.SINGLETON_PK).first()
            created = policy is None
            policy = policy or RetentionPolicy()
            for name, value in data.items():
                setattr(policy, name, value)
            policy.updated_by = staff_user(request)
            if created:
                policy.save()
            else:  # the audit entry names the fields that were sent
                policy.save(update_fields=[*data, "updated_at", "updated_by"])
        return Response(_retention_body())
