"""``/api/v1/metrics/alerts/`` (managers): subscriptions and fired alerts."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError

from helpdesk.permissions import IsManager

from .alert_models import Alert, AlertSubscription
from .alerts import validate_subject


class AlertSubscriptionSerializer(serializers.ModelSerializer):
    window_days = serializers.IntegerField(min_value=1, max_value=366, default=28)

    class Meta:
        model = AlertSubscription
        fields = ["id", "metric", "subject", "subject_key", "direction", "window_days",
                  "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate(self, attrs):
        try:  # 400 naming the subject that does not exist
            validate_subject(attrs.get("subject", "overall"), attrs.get("subject_key", ""))
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        user = self.context["request"].user
        if AlertSubscription.objects.filter(
                user=user, metric=attrs.get("metric", "nps"), subject=attrs.get("subject", "overall"),
                subject_key=attrs.get("subject_key", "")).exists():
            raise ValidationError({"subject": ["You already subscribe to this alert."]})
        return attrs


class AlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = Alert
        fields = ["id", "subscription", "day", "message", "current", "previous", "n_current",
                  "n_previous", "p_value", "created_at", "read_at"]
        read_only_fields = fields


class SubscriptionList(generics.ListCreateAPIView):
    """The manager's alert subscriptions; POST subscribes (400 naming a subject that does
    not exist)."""

    serializer_class = AlertSubscriptionSerializer
    permission_classes = [IsManager]

    queryset = AlertSubscription.objects.none()  # the schema's model; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AlertSubscription.objects.none()
        return AlertSubscription.objects.filter(user=self.request.user).order_by("pk")

    def perform_create(self, serializer):
        serializer.save(user=self.request.user)


class SubscriptionDetail(generics.RetrieveDestroyAPIView):
    serializer_class = AlertSubscriptionSerializer
    permission_classes = [IsManager]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AlertSubscription.objects.none()
        return AlertSubscription.objects.filter(user=self.request.user)


class AlertList(generics.ListAPIView):
    """Alerts fired for the manager, newest first."""

    serializer_class = AlertSerializer
    permission_classes = [IsManager]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Alert.objects.none()
        return Alert.objects.filter(user=self.request.user).order_by("-created_at", "-pk")
