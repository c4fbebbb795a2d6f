"""What a rule may say: its events, condition fields, operators and action types.

One table each, read by the validator below, the engine (``rules.engine``), the
automation query builder (``rules.automations``), the API schema and the manager
page, so every path accepts and refuses exactly the same rules.

``validate_rule`` returns the normalised rule or raises ``ValidationError`` whose
message names the offending part (``conditions.all[0].field: unknown field "foo"``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.models import Channel, Organization, Team, Ticket

EVENTS: dict[str, str] = {
    "ticket.created": gettext_lazy("Ticket created"),
    "ticket.updated": gettext_lazy("Ticket updated"),
    "ticket.assigned": gettext_lazy("Ticket assigned"),
    "message.customer": gettext_lazy("Customer replied"),
    "message.agent": gettext_lazy("Agent replied"),
    "ticket.solved": gettext_lazy("Ticket solved"),
    "ticket.closed": gettext_lazy("Ticket closed"),
    "ticket.reopened": gettext_lazy("Ticket reopened"),
    "survey.answered": gettext_lazy("Survey answered"),
}

#: The event names as a list, for the OpenAPI enum (settings.ENUM_NAME_OVERRIDES).
EVENT_NAMES = list(EVENTS)

# Value kinds and the operators each accepts.
OPS: dict[str, tuple[str, ...]] = {
    "choice": ("is", "is_not", "in"),
    "id": ("is", "is_not", "in"),
    "text": ("is", "is_not", "contains", "not_contains", "in"),
    "tags": ("contains", "not_contains", "in"),
    "bool": ("is", "is_not"),
    "hours": ("gt", "lt"),
    "number": ("is", "is_not", "gt", "lt"),
}
ALL_OPS = ("is", "is_not", "in", "contains", "not_contains", "gt", "lt")
OP_LABELS = {
    "is": gettext_lazy("is"), "is_not": gettext_lazy("is not"), "in": gettext_lazy("is one of"),
    "contains": gettext_lazy("contains"), "not_contains": gettext_lazy("does not contain"),
    "gt": gettext_lazy("more than"), "lt": gettext_lazy("less than"),
}
CHANGEABLE = ("status", "priority", "team", "assignee", "tags")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    label: object
    choices: tuple[str, ...] = ()
    # For "hours" fields: the ticket column the time is measured from.
    column: str = ""
    business: bool = False


def _languages() -> tuple[str, ...]:
    return tuple(code for code, _name in settings.LANGUAGES)


def _fields() -> dict[str, Field]:
    fields = [
        Field("channel", "choice", gettext_lazy("Channel"), tuple(Channel.values)),
        Field("status", "choice", gettext_lazy("Status"), tuple(Ticket.Status.values)),
        Field("priority", "choice", gettext_lazy("Priority"), tuple(Ticket.Priority.values)),
        Field("team", "id", gettext_lazy("Team")),
        Field("assignee", "id", gettext_lazy("Assignee")),
        Field("tags", "tags", gettext_lazy("Tags")),
        Field("subject", "text", gettext_lazy("Subject")),
        Field("body", "text", gettext_lazy("Message text")),
        Field("customer_email", "text", gettext_lazy("Customer email")),
        Field("customer_domain", "text", gettext_lazy("Customer email domain")),
        Field("organization", "id", gettext_lazy("Organization")),
        Field("organization_tier", "choice", gettext_lazy("Organization tier"),
              tuple(Organization.Tier.values) + ("",)),
        Field("language", "choice", gettext_lazy("Customer language"), _languages()),
        Field("business_hours", "bool", gettext_lazy("Within business hours")),
        Field("changed", "tags", gettext_lazy("Changed in this event"), CHANGEABLE),
        Field("survey_score", "number", gettext_lazy("Survey score")),
    ]
    spans = [("created", "created_at", gettext_lazy("created")),
             ("updated", "updated_at", gettext_lazy("updated")),
             ("pending", "pending", gettext_lazy("pending")),
             ("solved", "solved_at", gettext_lazy("solved")),
             ("customer_message", "waiting_since", gettext_lazy("customer's unanswered message"))]
    for key, column, label in spans:
        fields.append(Field(f"hours_since_{key}", "hours",
                            _HoursLabel(label, business=False), column=column))
        fields.append(Field(f"business_hours_since_{key}", "hours",
                            _HoursLabel(label, business=True), column=column, business=True))
    return {f.name: f for f in fields}


class _HoursLabel:
    """"Hours since created", translated when shown (a lazy string of two parts)."""

    def __init__(self, what, *, business: bool):
        self.what, self.business = what, business

    def __str__(self) -> str:
        if self.business:
            return _("Business hours since %(what)s") % {"what": self.what}
        return _("Hours since %(what)s") % {"what": self.what}


FIELDS = _fields()

# Custom ticket fields (docs/custom-fields.md) as condition fields "field.<key>", read
# from the database when a rule is validated or compiled.
CUSTOM_PREFIX = "field."
CUSTOM_KINDS = {"dropdown": "choice", "multiselect": "tags", "text": "text", "number": "number",
                "checkbox": "bool", "date": "text"}


def custom_specs(fields=None) -> dict[str, Field]:
    """``fields``: the active custom fields when already loaded."""
    from tickets.models import CustomField

    if fields is None:
        fields = CustomField.objects.filter(active=True)
    return {f"{CUSTOM_PREFIX}{f.key}": Field(f"{CUSTOM_PREFIX}{f.key}", CUSTOM_KINDS[f.type],
                                              f.label, tuple(o["key"] for o in f.options))
            for f in fields}


def field_spec(name) -> Field | None:
    """A condition field: a built-in one, or "field.<key>" of an active custom field."""
    if not isinstance(name, str):
        return None
    if name.startswith(CUSTOM_PREFIX):
        return custom_specs().get(name)
    return FIELDS.get(name)


def all_specs(fields=None) -> dict[str, Field]:
    return {**FIELDS, **custom_specs(fields)}


TIME_FIELDS = frozenset(name for name, f in FIELDS.items() if f.kind == "hours")

# Action types and the shape of their value.
ACTIONS: dict[str, object] = {
    "set_team": gettext_lazy("Set team"),
    "set_assignee": gettext_lazy("Set assignee"),
    "set_priority": gettext_lazy("Set priority"),
    "set_status": gettext_lazy("Set status"),
    "add_tags": gettext_lazy("Add tags"),
    "remove_tags": gettext_lazy("Remove tags"),
    "add_note": gettext_lazy("Add an internal note"),
    "email_customer": gettext_lazy("Email the customer"),
    "email_assignee": gettext_lazy("Email the assignee"),
    "email_team": gettext_lazy("Email the team"),
    "email_address": gettext_lazy("Email an address"),
    "webhook": gettext_lazy("Call a webhook"),
    "notify": gettext_lazy("Send a built-in notification"),
    "set_field": gettext_lazy("Set a custom field"),
}
EMAIL_ACTIONS = ("email_customer", "email_assignee", "email_team", "email_address")
# The built-in notifications (tickets/notifications.py) a "notify" action sends.
NOTIFICATIONS: dict[str, object] = {
    "acknowledgement": gettext_lazy("Acknowledgement to the customer"),
    "agent_reply": gettext_lazy("Agent's reply to the customer"),
    "customer_reply": gettext_lazy("Customer's reply to the assignee or team"),
    "assigned": gettext_lazy("Assignment to the agent"),
    "solved": gettext_lazy("Solved notice to the customer"),
}

PLACEHOLDER = re.compile(r"{{\s*([a-z_.]+)\s*}}")
PLACEHOLDERS = (
    "ticket.reference", "ticket.subject", "ticket.status", "ticket.priority", "ticket.channel",
    "ticket.url", "ticket.portal_url", "customer.name", "customer.email", "assignee.name",
    "team.name", "message.body", "rule.name",
)


def error(path: str, message: str) -> ValidationError:
    return ValidationError(f"{path}: {message}", code="invalid")


class Validator:
    """Collects every problem of one rule, each prefixed with where it is."""

    def __init__(self, kind: str):
        self.kind = kind
        self.errors: dict[str, list[str]] = {}
        self.team_ids: set[int] = set()
        self.user_ids: set[int] = set()
        self.organization_ids: set[int] = set()
        self.id_paths: list[tuple[str, str, str, int]] = []

    def add(self, key: str, path: str, message: str) -> None:
        self.errors.setdefault(key, []).append(f"{path}: {message}" if path else message)

    # Events --------------------------------------------------------------------------
    def events(self, events) -> list[str]:
        if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
            self.add("events", "events", _("must be a list of event names."))
            return []
        for i, name in enumerate(events):
            if name not in EVENTS:
                self.add("events", f"events[{i}]", _("unknown event “%(name)s”.") % {"name": name})
        if self.kind == "trigger" and not events:
            self.add("events", "events", _("a trigger needs at least one event."))
        if self.kind == "automation" and events:
            self.add("events", "events", _("an automation runs on a schedule, not on events."))
        return list(dict.fromkeys(events))

    # Conditions ----------------------------------------------------------------------
    def conditions(self, conditions) -> dict:
        if not isinstance(conditions, dict):
            self.add("conditions", "conditions", _("must be an object with “all” and “any”."))
            return {"all": [], "any": []}
        out = {"all": [], "any": []}
        for key in conditions:
            if key not in out:
                self.add("conditions", f"conditions.{key}",
                         _("unknown group (use “all” or “any”)."))
        for group in ("all", "any"):
            items = conditions.get(group, [])
            if not isinstance(items, list):
                self.add("conditions", f"conditions.{group}", _("must be a list."))
                continue
            for i, item in enumerate(items):
                checked = self.condition(item, f"conditions.{group}[{i}]")
                if checked is not None:
                    out[group].append(checked)
        if self.kind == "automation" and not any(
            c["field"] in TIME_FIELDS for c in out["all"]
        ) and "conditions" not in self.errors:
            self.add("conditions", "conditions.all",
                     _("an automation needs a time condition (such as hours_since_updated) "
                       "in “all”."))
        return out

    def condition(self, item, path: str) -> dict | None:
        if not isinstance(item, dict):
            self.add("conditions", path, _("must be an object with field, op and value."))
            return None
        unknown = sorted(set(item) - {"field", "op", "value"})
        if unknown:
            self.add("conditions", path, _("unknown key “%(key)s”.") % {"key": unknown[0]})
        name, op = item.get("field"), item.get("op")
        field = field_spec(name)
        if field is None:
            self.add("conditions", f"{path}.field", _("unknown field “%(name)s”.") % {"name": name})
            return None
        if not isinstance(op, str) or op not in ALL_OPS:
            self.add("conditions", f"{path}.op", _("unknown operator “%(op)s”.") % {"op": op})
            return None
        if op not in OPS[field.kind]:
            self.add("conditions", f"{path}.op",
                     _("operator “%(op)s” does not apply to %(field)s.") % {"op": op, "field": name})
            return None
        if "value" not in item:
            self.add("conditions", f"{path}.value", _("a value is required."))
            return None
        value = self.condition_value(field, op, item["value"], f"{path}.value")
        if value is _INVALID:
            return None
        return {"field": name, "op": op, "value": value}

    def condition_value(self, field: Field, op: str, value, path: str):
        if op == "in":
            if not isinstance(value, list) or not value:
                self.add("conditions", path, _("must be a non-empty list."))
                return _INVALID
            out = [self.scalar(field, v, f"{path}[{i}]") for i, v in enumerate(value)]
            return _INVALID if _INVALID in out else out
        return self.scalar(field, value, path)

    def scalar(self, field: Field, value, path: str):
        kind = field.kind
        if kind in ("choice", "tags") and field.choices:
            if value not in field.choices:
                self.add("conditions", path, _("“%(value)s” is not one of %(choices)s.")
                         % {"value": value, "choices": ", ".join(c for c in field.choices if c)})
                return _INVALID
            return value
        if kind in ("text", "tags"):
            if not isinstance(value, str) or (kind == "tags" and not value.strip()):
                self.add("conditions", path, _("must be text."))
                return _INVALID
            return value.strip().lower() if kind == "tags" else value
        if kind == "bool":
            if not isinstance(value, bool):
                self.add("conditions", path, _("must be true or false."))
                return _INVALID
            return value
        if kind in ("hours", "number"):
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                self.add("conditions", path, _("must be a number of at least 0."))
                return _INVALID
            return value
        if kind == "id":
            return self.ref(field.name, value, path, "conditions")
        raise AssertionError(kind)

    def ref(self, name: str, value, path: str, key: str):
        """A team, user or organization id (or null = none), checked to exist later."""
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.add(key, path, _("must be an id (a whole number) or null."))
            return _INVALID
        self.id_paths.append((key, path, name, value))
        return value

    # Actions -------------------------------------------------------------------------
    def actions(self, actions) -> list[dict]:
        if not isinstance(actions, list):
            self.add("actions", "actions", _("must be a list."))
            return []
        out = []
        for i, item in enumerate(actions):
            path = f"actions[{i}]"
            if not isinstance(item, dict):
                self.add("actions", path, _("must be an object with type and value."))
                continue
            unknown = sorted(set(item) - {"type", "value"})
            if unknown:
                self.add("actions", path, _("unknown key “%(key)s”.") % {"key": unknown[0]})
            kind = item.get("type")
            if not isinstance(kind, str) or kind not in ACTIONS:
                self.add("actions", f"{path}.type", _("unknown action “%(type)s”.") % {"type": kind})
                continue
            value = self.action_value(kind, item.get("value"), f"{path}.value")
            if value is not _INVALID:
                out.append({"type": kind, "value": value})
        if not actions:
            self.add("actions", "actions", _("a rule needs at least one action."))
        return out

    def action_value(self, kind: str, value, path: str):
        if kind == "set_team":
            return self.ref("team", value, path, "actions")
        if kind == "set_assignee":
            return self.ref("assignee", value, path, "actions")
        if kind in ("set_priority", "set_status"):
            choices = Ticket.Priority.values if kind == "set_priority" else Ticket.Status.values
            if value not in choices:
                self.add("actions", path, _("“%(value)s” is not one of %(choices)s.")
                         % {"value": value, "choices": ", ".join(choices)})
                return _INVALID
            return value
        if kind in ("add_tags", "remove_tags"):
            if (not isinstance(value, list) or not value
                    or not all(isinstance(t, str) and t.strip() for t in value)):
                self.add("actions", path, _("must be a non-empty list of tag names."))
                return _INVALID
            return [t.strip().lower()[:50] for t in value]
        if kind == "add_note":
            return self.localized(value, path)
        if kind in EMAIL_ACTIONS:
            return self.email(kind, value, path)
        if kind == "webhook":
            return self.webhook(value, path)
        if kind == "notify":
            return self.notify(value, path)
        if kind == "set_field":
            return self.set_field(value, path)
        raise AssertionError(kind)

    def set_field(self, value, path: str):
        """``{"field": key, "value": v}``: v checked as the field's type now, so a rule
        never stores a value the field refuses."""
        from tickets.models import CustomField
        from tickets.services.custom_fields import clean_value

        if not isinstance(value, dict) or set(value) != {"field", "value"}:
            self.add("actions", path, _("must be an object with field and value."))
            return _INVALID
        field = CustomField.objects.filter(key=value["field"], active=True).first() if isinstance(
            value["field"], str) else None
        if field is None:
            self.add("actions", f"{path}.field",
                     _("unknown custom field “%(name)s”.") % {"name": value["field"]})
            return _INVALID
        try:
            clean_value(field, value["value"])
        except ValidationError as exc:
            self.add("actions", f"{path}.value", "; ".join(exc.messages))
            return _INVALID
        return {"field": field.key, "value": value["value"]}

    def localized(self, value, path: str, *, required: bool = True):
        """Text with placeholders, either one string or one per language code."""
        if value is None and not required:
            return None
        texts = {"": value} if isinstance(value, str) else value
        if not isinstance(texts, dict) or not texts:
            self.add("actions", path, _("must be text, or an object of texts by language."))
            return _INVALID
        for language, text in texts.items():
            where = f"{path}.{language}" if language else path
            if language and language not in _languages():
                self.add("actions", where, _("unknown language “%(code)s”.") % {"code": language})
                return _INVALID
            if not isinstance(text, str) or not text.strip():
                self.add("actions", where, _("must be non-empty text."))
                return _INVALID
            for name in PLACEHOLDER.findall(text):
                if name not in PLACEHOLDERS:
                    self.add("actions", where, _("unknown placeholder “{{%(name)s}}”.")
                             % {"name": name})
                    return _INVALID
        return value

    def email(self, kind: str, value, path: str):
        if not isinstance(value, dict):
            self.add("actions", path, _("must be an object with subject and body."))
            return _INVALID
        allowed = {"subject", "body"} | ({"to"} if kind == "email_address" else set())
        unknown = sorted(set(value) - allowed)
        if unknown:
            self.add("actions", f"{path}.{unknown[0]}", _("unknown key."))
            return _INVALID
        out = {}
        if kind == "email_address":
            to = value.get("to")
            try:
                validate_email(to if isinstance(to, str) else "")
            except ValidationError:
                self.add("actions", f"{path}.to", _("must be an email address."))
                return _INVALID
            out["to"] = to
        for key in ("subject", "body"):
            text = self.localized(value.get(key), f"{path}.{key}")
            if text is _INVALID:
                return _INVALID
            out[key] = text
        return out

    def webhook(self, value, path: str):
        if not isinstance(value, dict) or not isinstance(value.get("url"), str):
            self.add("actions", path, _("must be an object with a url (and a secret)."))
            return _INVALID
        unknown = sorted(set(value) - {"url", "secret"})
        if unknown:
            self.add("actions", f"{path}.{unknown[0]}", _("unknown key."))
            return _INVALID
        parts = urlsplit(value["url"])
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.add("actions", f"{path}.url", _("must be an http(s) URL."))
            return _INVALID
        secret = value.get("secret", "")
        if not isinstance(secret, str):
            self.add("actions", f"{path}.secret", _("must be text."))
            return _INVALID
        return {"url": value["url"], "secret": secret}

    def notify(self, value, path: str):
        if not isinstance(value, dict) or value.get("template") not in NOTIFICATIONS:
            self.add("actions", f"{path}.template", _("must be one of %(choices)s.")
                     % {"choices": ", ".join(NOTIFICATIONS)})
            return _INVALID
        unknown = sorted(set(value) - {"template", "subject", "body"})
        if unknown:
            self.add("actions", f"{path}.{unknown[0]}", _("unknown key."))
            return _INVALID
        out = {"template": value["template"]}
        for key in ("subject", "body"):
            if value.get(key):
                text = self.localized(value[key], f"{path}.{key}")
                if text is _INVALID:
                    return _INVALID
                out[key] = text
        return out

    # Ids -----------------------------------------------------------------------------
    def check_ids(self) -> None:
        """Every referenced team, user and organization exists: three queries at most."""
        from helpdesk.models import User

        wanted: dict[str, set[int]] = {}
        for _key, _path, name, value in self.id_paths:
            wanted.setdefault(name, set()).add(value)
        models = {"team": Team, "assignee": User, "organization": Organization}
        found = {name: set(models[name].objects.filter(pk__in=ids).values_list("pk", flat=True))
                 for name, ids in wanted.items()}
        labels = {"team": _("team"), "assignee": _("user"), "organization": _("organization")}
        for key, path, name, value in self.id_paths:
            if value not in found[name]:
                self.add(key, path, _("no %(what)s with id %(id)s.")
                         % {"what": labels[name], "id": value})


_INVALID = object()


def validate_rule(*, kind: str, events, conditions, actions) -> dict:
    """The rule's parts, normalised; ValidationError naming every problem otherwise."""
    if kind not in ("trigger", "automation"):
        raise ValidationError({"kind": [_("must be “trigger” or “automation”.")]})
    v = Validator(kind)
    cleaned = {"events": v.events(events), "conditions": v.conditions(conditions),
               "actions": v.actions(actions)}
    v.check_ids()
    if v.errors:
        raise ValidationError(dict(v.errors))
    return cleaned
