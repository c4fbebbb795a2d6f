"""``/api/v1/webhooks/``: admins manage subscriptions and read their delivery log."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from helpdesk.api import parse_id, validated
from helpdesk.permissions import is_staff_member

from . import services
from .models import WebhookDelivery, WebhookSubscription
from .serializers import (
    WebhookDeliverySerializer,
    WebhookInputSerializer,
    WebhookSubscriptionSerializer,
    WebhookUpdateSerializer,
)

WEBHOOK_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Subscription id.")


class IsAdmin(BasePermission):
    """Webhooks send ticket data out of the helpdesk: admins only."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return is_staff_member(user) and (user.is_superuser or user.role == user.Role.ADMIN)


def get_subscription(pk) -> WebhookSubscription:
    subscription_id = parse_id(pk)
    subscription = (WebhookSubscription.objects.filter(pk=subscription_id).first()
                    if subscription_id else None)
    if subscription is None:
        raise Http404
    return subscription


@extend_schema_view(
    get=extend_schema(summary="List webhook subscriptions", tags=["webhooks"]),
    post=extend_schema(summary="Subscribe a URL to ticket events", tags=["webhooks"],
                       request=WebhookInputSerializer,
                       responses={201: WebhookSubscriptionSerializer}),
)
class WebhookList(generics.ListCreateAPIView):
    serializer_class = WebhookSubscriptionSerializer
    permission_classes = [IsAdmin]
    filter_backends: list = []
    queryset = WebhookSubscription.objects.order_by("pk")

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = validated(WebhookInputSerializer, request.data)
        subscription = services.create_subscription(actor=request.user, **data)
        return Response(WebhookSubscriptionSerializer(subscription).data,
                        status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="Read a webhook subscription", tags=["webhooks"],
                      parameters=[WEBHOOK_ID]),
    patch=extend_schema(summary="Change a webhook subscription", tags=["webhooks"],
                        parameters=[WEBHOOK_ID], request=WebhookUpdateSerializer,
                        responses={200: WebhookSubscriptionSerializer}),
    delete=extend_schema(summary="Delete a webhook subscription (its log stays)",
                         tags=["webhooks"], parameters=[WEBHOOK_ID]),
)
class WebhookDetail(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = WebhookSubscriptionSerializer
    permission_classes = [IsAdmin]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_object(self) -> WebhookSubscription:
        return get_subscription(self.kwargs["pk"])

    def update(self, request: Request, *args, **kwargs) -> Response:
        subscription = self.get_object()
        changes = validated(WebhookUpdateSerializer, request.data)
        subscription = services.update_subscription(subscription=subscription, changes=changes)
        return Response(WebhookSubscriptionSerializer(subscription).data)

    def perform_destroy(self, instance: WebhookSubscription) -> None:
        services.delete_subscription(subscription=instance)


@extend_schema(summary="The delivery log of a subscription, newest first", tags=["webhooks"],
               parameters=[WEBHOOK_ID])
class WebhookDeliveries(generics.ListAPIView):
    serializer_class = WebhookDeliverySerializer
    permission_classes = [IsAdmin]
    filter_backends: list = []

    def get_queryset(self):
        subscription = get_subscription(self.kwargs["pk"])
        # Served by webhook_sub_created_idx.
        return WebhookDelivery.objects.filter(subscription=subscription).order_by(
            "-created_at", "-pk")
