"""POST /api/v1/surveys/follow-ups/{id}/renewal/: the renewal outcome (docs/insights.md)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from helpdesk.api import bad_request

from .queries import visible_follow_ups
from .services.renewals import RENEWAL_VALUES, record_renewal


class RenewalSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[*RENEWAL_VALUES, ""], allow_blank=True,
                                      help_text="empty clears it")


class RenewalResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    renewal = serializers.CharField(allow_blank=True)
    renewal_recorded_at = serializers.DateTimeField(allow_null=True)


@extend_schema(request=RenewalSerializer, responses=RenewalResultSerializer)
@api_view(["POST"])
def renewal(request: Request, pk: int) -> Response:
    follow_up = get_object_or_404(visible_follow_ups(request.user), pk=pk)
    body = RenewalSerializer(data=request.data)
    if not body.is_valid():
        field, messages = next(iter(body.errors.items()))
        return bad_request(field, str(messages[0]))
    try:
        record_renewal(follow_up=follow_up, outcome=body.validated_data["outcome"],
                       user=request.user)
    except PermissionDenied as exc:
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        return bad_request(field, messages[0])
    return Response({"id": follow_up.pk, "renewal": follow_up.renewal,
                     "renewal_recorded_at": follow_up.renewal_recorded_at})
