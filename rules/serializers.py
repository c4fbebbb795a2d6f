"""REST API shapes of rules (docs/rules.md).

The parts of a rule are free JSON to the serializer and checked by
``rules.schema.validate_rule``, the validator the manager page uses too, so a
400 names the same problem the form shows (``conditions.all[0].field: unknown
field "foo"``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from helpdesk.api import StrictSerializer

from .models import Rule
from .schema import ACTIONS, ALL_OPS, EVENTS, FIELDS

CONDITION_SCHEMA = {
    "type": "object",
    "properties": {
        # A built-in field, or a custom ticket field "field.<key>" (docs/custom-fields.md).
        "field": {"anyOf": [{"type": "string", "enum": list(FIELDS)},
                            {"type": "string", "pattern": r"^field\.[a-z][a-z0-9_]*$"}]},
        "op": {"type": "string", "enum": list(ALL_OPS)},
        "value": {"description": "text, number, boolean, id, null or a list (op \"in\")"},
    },
    "required": ["field", "op", "value"],
}


@extend_schema_field({"type": "array", "items": {"type": "string", "enum": list(EVENTS)}})
class EventsField(serializers.JSONField):
    pass


@extend_schema_field({
    "type": "object",
    "properties": {"all": {"type": "array", "items": CONDITION_SCHEMA},
                   "any": {"type": "array", "items": CONDITION_SCHEMA}},
})
class ConditionsField(serializers.JSONField):
    pass


@extend_schema_field({
    "type": "array",
    "items": {"type": "object",
              "properties": {"type": {"type": "string", "enum": list(ACTIONS)},
                             "value": {"description": "depends on the type (docs/rules.md)"}},
              "required": ["type", "value"]},
})
class ActionsField(serializers.JSONField):
    pass


class RuleSerializer(serializers.ModelSerializer):
    events = EventsField(read_only=True)
    conditions = ConditionsField(read_only=True)
    actions = ActionsField(read_only=True)

    class Meta:
        model = Rule
        fields = ["id", "name", "kind", "events", "conditions", "actions", "active", "position",
                  "system_key", "created_at", "updated_at", "created_by", "updated_by"]
        read_only_fields = fields


class RuleInputSerializer(StrictSerializer):
    read_only_names = frozenset(RuleSerializer.Meta.fields)

    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Rule.Kind.choices, default=Rule.Kind.TRIGGER)
    events = EventsField(required=False, default=list)
    conditions = ConditionsField(required=False, default=dict)
    actions = ActionsField()
    active = serializers.BooleanField(required=False, default=True)
    position = serializers.IntegerField(required=False, min_value=0, max_value=1_000_000,
                                        allow_null=True, default=None)
