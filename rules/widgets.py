"""What the rule form draws for each condition field and action type.

Each field gets one value widget (a select of its choices, a number box, a text
box); existing rows are drawn with their own widget filled in, and the page also
carries an empty widget per field and action type in ``<template>`` elements,
which ``static/rules/rules.js`` clones when the manager picks another field.
Three queries: teams, staff users, organizations.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from helpdesk.models import User
from tickets.models import Channel, Organization, Team, Ticket

from .schema import ACTIONS, CUSTOM_PREFIX, FIELDS, NOTIFICATIONS, OP_LABELS, OPS, all_specs

LANGS = list(settings.LANGUAGES)


class Options:
    """The choices of every field and action, loaded once per page."""

    def __init__(self):
        self.teams = [(t.pk, t.name) for t in Team.objects.order_by("name")]
        self.users = [(u.pk, str(u)) for u in
                      User.objects.filter(is_active=True).exclude(role="").order_by("name", "email")]
        self.organizations = [(o.pk, o.name) for o in
                              Organization.objects.order_by("name").only("pk", "name")]
        none = [("", _("(none)"))]
        self.by_field = {
            "channel": list(Channel.choices),
            "status": list(Ticket.Status.choices),
            "priority": list(Ticket.Priority.choices),
            "organization_tier": [*Organization.Tier.choices, ("", _("(no organization)"))],
            "language": LANGS,
            "team": none + self.teams,
            "assignee": [("", _("(nobody)"))] + self.users,
            "organization": none + self.organizations,
            "business_hours": [("true", _("yes")), ("false", _("no"))],
            "changed": [(name, str(FIELDS[name].label)) for name in
                        ("status", "priority", "team", "assignee", "tags")],
        }
        # Custom fields ("field.<key>"): their options, or yes/no (docs/custom-fields.md).
        from tickets.models import CustomField

        self.custom_fields = list(CustomField.objects.filter(active=True))
        self.specs = {name: spec for name, spec in all_specs(self.custom_fields).items()
                      if name.startswith(CUSTOM_PREFIX)}
        for custom in self.custom_fields:
            if custom.type in CustomField.WITH_OPTIONS:
                self.by_field[f"{CUSTOM_PREFIX}{custom.key}"] = custom.option_choices
            elif custom.type == CustomField.Type.CHECKBOX:
                self.by_field[f"{CUSTOM_PREFIX}{custom.key}"] = self.by_field["business_hours"]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    return str(value)


def value_widget(options: Options, field: str, op: str = "", value=None) -> dict:
    spec = FIELDS.get(field) or options.specs.get(field)
    choices = options.by_field.get(field)
    chosen = {_text(v) for v in value} if isinstance(value, list) else {_text(value)}
    if choices is not None:
        return {"field": field, "type": "select", "multiple": op == "in",
                "options": [(str(v), label, str(v) in chosen) for v, label in choices]}
    kind = spec.kind if spec else "text"
    return {"field": field, "type": "number" if kind in ("hours", "number") else "text",
            "text": _text(value), "multiple": False}


def field_specs() -> list[dict]:
    return [{"name": name, "label": str(spec.label), "ops": " ".join(OPS[spec.kind])}
            for name, spec in all_specs().items()]


def op_choices() -> list[tuple[str, str]]:
    return [(op, str(label)) for op, label in OP_LABELS.items()]


def condition_rows(options: Options, rows: list[dict]) -> list[dict]:
    return [{"n": n, "group": row.get("group", "all"), "field": row.get("field", ""),
             "op": row.get("op", ""),
             "widget": value_widget(options, row.get("field", ""), row.get("op", ""),
                                    row.get("value"))}
            for n, row in enumerate(rows)]


def rows_from_rule(conditions: dict, actions: list[dict]) -> tuple[list[dict], list[dict]]:
    conds = [{"group": group, **c} for group in ("all", "any") for c in conditions.get(group, [])]
    return conds, [dict(a) for a in actions]


def action_widget(options: Options, kind: str, value=None) -> dict:
    """The inputs of one action type, filled with ``value``."""
    value = value if value is not None else {}
    texts = value if isinstance(value, dict) else {}

    def localized(key: str) -> list[tuple[str, str, str]]:
        given = texts.get(key) if key != "note" else value
        if isinstance(given, str):
            given = {settings.LANGUAGE_CODE: given}
        given = given if isinstance(given, dict) else {}
        return [(code, str(name), given.get(code, "")) for code, name in LANGS]

    widget: dict = {"type": kind}
    if kind in ("set_team", "set_assignee", "set_priority", "set_status"):
        choices = {"set_team": options.by_field["team"],
                   "set_assignee": options.by_field["assignee"],
                   "set_priority": options.by_field["priority"],
                   "set_status": options.by_field["status"]}[kind]
        widget["options"] = [(str(v), label, _text(value) == str(v)) for v, label in choices]
    elif kind in ("add_tags", "remove_tags"):
        widget["text"] = _text(value) if isinstance(value, list | str) else ""
    elif kind == "add_note":
        widget["bodies"] = localized("note")
    elif kind.startswith("email_") or kind == "notify":
        widget["subjects"], widget["bodies"] = localized("subject"), localized("body")
        if kind == "email_address":
            widget["to"] = texts.get("to", "")
        if kind == "notify":
            widget["templates"] = [(k, str(label), texts.get("template") == k)
                                   for k, label in NOTIFICATIONS.items()]
    elif kind == "webhook":
        widget["url"], widget["secret"] = texts.get("url", ""), texts.get("secret", "")
    elif kind == "set_field":
        widget["fields"] = [(f.key, f.label, texts.get("field") == f.key)
                            for f in options.custom_fields]
        widget["text"] = _text(texts.get("value"))
    return widget


def action_rows(options: Options, rows: list[dict]) -> list[dict]:
    return [{"n": n, "type": row.get("type", ""),
             "widget": action_widget(options, row.get("type", ""), row.get("value"))}
            for n, row in enumerate(rows)]


def banks(options: Options) -> dict:
    """Empty widgets per field and per action type, for the page's templates."""
    return {
        "value_bank": [value_widget(options, name) for name in {**FIELDS, **options.specs}],
        "action_bank": [action_widget(options, kind) for kind in ACTIONS],
    }


def action_choices() -> list[tuple[str, str]]:
    return [(k, str(label)) for k, label in ACTIONS.items()]
