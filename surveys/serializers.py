from rest_framework import serializers

from .models import Response


class ResponseSerializer(serializers.ModelSerializer):
    """One survey answer. ``agent`` and ``team`` are those of the ticket when surveyed.
    ``ticket`` is null for analysts: figures, not tickets (docs/roles.md)."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and getattr(request.user, "is_analyst", False):
            data["ticket"] = None
        return data

    class Meta:
        model = Response
        fields = ["id", "metric", "kind", "score", "scale_min", "scale_max", "comment", "ticket",
                  "channel", "agent", "team", "created_at"]
        read_only_fields = fields
