"""Output shapes of the metrics API (documentation for the OpenAPI schema)."""

from rest_framework import serializers

from .definitions import RATES


class NPSSerializer(serializers.Serializer):
    score = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField()
    promoters = serializers.IntegerField()
    passives = serializers.IntegerField()
    detractors = serializers.IntegerField()
    margin_of_error = serializers.FloatField(allow_null=True)
    too_few = serializers.BooleanField()


class CSATSerializer(serializers.Serializer):
    score = serializers.FloatField(allow_null=True, help_text="% of responses 4 or 5")
    mean = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    ci_low = serializers.FloatField(allow_null=True, help_text="95% Wilson interval, low end")
    ci_high = serializers.FloatField(allow_null=True)
    too_few = serializers.BooleanField()


class CESSerializer(serializers.Serializer):
    score = serializers.FloatField(allow_null=True, help_text="mean on the 1-7 scale")
    easy_pct = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField()
    easy = serializers.IntegerField()
    too_few = serializers.BooleanField()


class TimeSerializer(serializers.Serializer):
    median_seconds = serializers.FloatField(allow_null=True, help_text="business seconds")
    p90_seconds = serializers.FloatField(allow_null=True)
    sla_met_pct = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField()
    with_target = serializers.IntegerField()
    met = serializers.IntegerField()


class _Summary(serializers.Serializer):
    nps = NPSSerializer()
    csat = CSATSerializer()
    ces = CESSerializer()
    response_rate = serializers.FloatField(allow_null=True)
    invitations_delivered = serializers.IntegerField()
    responses_to_invitations = serializers.IntegerField()
    first_response = TimeSerializer()
    resolution = TimeSerializer()
    tickets_created = serializers.IntegerField()
    tickets_solved = serializers.IntegerField()
    backlog = serializers.IntegerField(allow_null=True)


# One field per Rate of metrics/definitions.py (fcr_pct, reopen_pct, ...).
SummarySerializer = type("SummarySerializer", (_Summary,), {
    r.field: serializers.FloatField(allow_null=True, help_text=f"% of tickets_{r.anchor}")
    for r in RATES})


class BreakdownRowSerializer(SummarySerializer):
    key = serializers.JSONField()
    label = serializers.CharField()


class BreakdownSerializer(serializers.Serializer):
    by = serializers.CharField()
    results = BreakdownRowSerializer(many=True)
