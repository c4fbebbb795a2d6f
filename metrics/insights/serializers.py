"""Output shapes of the insights API (documentation for the OpenAPI schema)."""

from rest_framework import serializers

from surveys.models import Kind


class DriverSerializer(serializers.Serializer):
    factor = serializers.CharField()
    factor_label = serializers.CharField()
    level = serializers.CharField()
    level_label = serializers.CharField()
    n = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True, help_text="the metric's own definition")
    rest_n = serializers.IntegerField()
    rest_score = serializers.FloatField(allow_null=True)
    difference = serializers.FloatField(allow_null=True, help_text="score − score of the rest")
    ci_low = serializers.FloatField(allow_null=True, help_text="95 % interval of the difference")
    ci_high = serializers.FloatField(allow_null=True)
    share = serializers.FloatField(help_text="n ÷ n of the selection")
    gain = serializers.FloatField(allow_null=True, help_text="null when greyed")
    better_level = serializers.CharField(required=False)
    rank = serializers.IntegerField(allow_null=True)
    too_few = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)


class DriversSerializer(serializers.Serializer):
    metric = serializers.CharField()
    kind = serializers.ChoiceField(choices=Kind.choices,
                                   help_text="survey kind of the answers")
    n = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True)
    too_few = serializers.BooleanField()
    min_responses = serializers.IntegerField()
    reason = serializers.CharField(allow_blank=True)
    interval_method = serializers.CharField()
    drivers = DriverSerializer(many=True)


class ThemeExampleSerializer(serializers.Serializer):
    response = serializers.IntegerField()
    comment = serializers.CharField()
    score = serializers.IntegerField()
    metric = serializers.CharField()


class ThemeWeekSerializer(serializers.Serializer):
    week = serializers.DateField()
    n = serializers.IntegerField()


class ThemeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    words = serializers.ListField(child=serializers.CharField())
    language = serializers.CharField()
    n = serializers.IntegerField()
    share = serializers.FloatField()
    mean_score = serializers.FloatField(allow_null=True, help_text="null without a metric")
    detractors = serializers.IntegerField()
    promoters = serializers.IntegerField()
    trend = ThemeWeekSerializer(many=True)
    examples = ThemeExampleSerializer(many=True)


class ThemeSegmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    n = serializers.IntegerField()
    share = serializers.FloatField()


class ThemesSerializer(serializers.Serializer):
    n_comments = serializers.IntegerField()
    n_unthemed = serializers.IntegerField()
    n_detractor_comments = serializers.IntegerField()
    n_promoter_comments = serializers.IntegerField()
    metric = serializers.CharField(allow_null=True)
    kind = serializers.ChoiceField(choices=Kind.choices,
                                   help_text="survey kind of the answers")
    fitted_at = serializers.DateTimeField(allow_null=True)
    too_few = serializers.BooleanField()
    min_responses = serializers.IntegerField()
    reason = serializers.CharField(allow_blank=True)
    themes = ThemeSerializer(many=True)
    detractor_themes = ThemeSegmentSerializer(many=True)
    promoter_themes = ThemeSegmentSerializer(many=True)
