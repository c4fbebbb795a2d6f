from rest_framework import serializers

from .models import Response


class ResponseSerializer(serializers.ModelSerializer):
    """One survey answer. ``agent`` and ``team`` are those of the ticket when surveyed."""

    class Meta:
        model = Response
        fields = ["id", "metric", "kind", "score", "scale_min", "scale_max", "comment", "ticket",
                  "channel", "agent", "team", "created_at"]
        read_only_fields = fields
