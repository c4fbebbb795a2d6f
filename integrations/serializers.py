"""REST API shapes of webhook subscriptions and deliveries (docs/macros-and-webhooks.md)."""

from __future__ import annotations

from rest_framework import serializers

from helpdesk.api import StrictSerializer

from .models import Event, WebhookDelivery, WebhookSubscription


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "events", "secret", "active", "created_by", "created_at",
                  "failing_since", "disabled_at"]
        read_only_fields = fields

    events = serializers.ListField(child=serializers.ChoiceField(choices=Event.choices))


class WebhookInputSerializer(StrictSerializer):
    """Create (url and events required) or change (everything optional) a subscription.
    The URL's safety (scheme, not this app, not a private address) and the secret's
    length are checked by the service, which names the field."""

    read_only_names = frozenset(WebhookSubscriptionSerializer.Meta.fields)

    url = serializers.URLField(max_length=2000)
    events = serializers.ListField(child=serializers.ChoiceField(choices=Event.choices),
                                   allow_empty=False, max_length=len(Event.values))
    secret = serializers.CharField(max_length=200, required=False, trim_whitespace=False,
                                   help_text="HMAC key; at least 16 characters. Generated "
                                             "when left out on create.")
    active = serializers.BooleanField(required=False, default=True)


class WebhookUpdateSerializer(WebhookInputSerializer):
    url = serializers.URLField(max_length=2000, required=False)
    events = serializers.ListField(child=serializers.ChoiceField(choices=Event.choices),
                                   allow_empty=False, max_length=len(Event.values),
                                   required=False)
    active = serializers.BooleanField(required=False)


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = ["id", "delivery", "event", "url", "ticket", "status", "attempts",
                  "next_attempt_at", "last_status_code", "response_ms", "response_body",
                  "error", "created_at", "sent_at", "payload"]
        read_only_fields = fields
