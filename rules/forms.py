"""The manager page's rule form: name, kind, events, plus condition and action rows.

Rows are posted as ``cond-<n>-group|field|op|value`` and ``act-<n>-type|…`` (the
static ``rules.js`` adds and removes them). ``RuleForm.rule_data`` turns them into
the API's JSON, which ``rules.services`` validates; its messages are shown on the
form with the row they concern.
"""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Rule
from .schema import EVENTS, field_spec

LANGS = [code for code, _name in settings.LANGUAGES]


class RuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Rule.Kind.choices,
                             widget=forms.RadioSelect)
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Runs when"), required=False, choices=list(EVENTS.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Triggers only; automations run every few minutes."))
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False)

    def rule_data(self) -> dict:
        """The rule as the API would receive it (valid form fields plus the rows)."""
        data = dict(self.cleaned_data)
        data["conditions"], self.condition_rows = parse_conditions(self.data)
        data["actions"], self.action_rows = parse_actions(self.data)
        return data


def _indexes(post, prefix: str, suffix: str) -> list[int]:
    pattern = re.compile(rf"^{prefix}-(\d+)-{suffix}$")
    return sorted({int(m.group(1)) for key in post if (m := pattern.match(key))})


def _number(text: str):
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def _scalar(kind: str | None, text: str):
    text = text.strip()
    if kind == "id":
        return None if text == "" else (int(text) if text.isdigit() else text)
    if kind in ("hours", "number"):
        return _number(text)
    if kind == "bool":
        return {"true": True, "false": False}.get(text, text)
    return text


def _split(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def parse_conditions(post) -> tuple[dict, list[dict]]:
    conditions: dict[str, list] = {"all": [], "any": []}
    rows = []
    for n in _indexes(post, "cond", "field"):
        group = post.get(f"cond-{n}-group", "all")
        group = group if group in conditions else "all"
        name = post.get(f"cond-{n}-field", "")
        op = post.get(f"cond-{n}-op", "")
        values = post.getlist(f"cond-{n}-value")
        spec = field_spec(name)  # built-in or custom "field.<key>"
        kind = spec.kind if spec else None
        if op == "in":
            items = values if kind in ("choice", "id") and len(values) != 1 else _split(values)
            value = [_scalar(kind, v) for v in items]
        else:
            value = _scalar(kind, values[0] if values else "")
        path = f"conditions.{group}[{len(conditions[group])}]"
        conditions[group].append({"field": name, "op": op, "value": value})
        rows.append({"path": path, "group": group, "field": name, "op": op, "value": value})
    return conditions, rows


def _localized(post, n: int, name: str) -> dict[str, str]:
    return {lang: text for lang in LANGS
            if (text := post.get(f"act-{n}-{name}-{lang}", "").strip())}


def parse_actions(post) -> tuple[list[dict], list[dict]]:
    actions, rows = [], []
    for n in _indexes(post, "act", "type"):
        kind = post.get(f"act-{n}-type", "")
        raw = post.get(f"act-{n}-value", "")
        value: object
        if kind in ("set_team", "set_assignee"):
            value = _scalar("id", raw)
        elif kind in ("add_tags", "remove_tags"):
            value = _split([raw])
        elif kind == "add_note":
            value = _localized(post, n, "body")
        elif kind.startswith("email_"):
            value = {"subject": _localized(post, n, "subject"),
                     "body": _localized(post, n, "body")}
            if kind == "email_address":
                value["to"] = post.get(f"act-{n}-to", "").strip()
        elif kind == "set_field":
            value = {"field": post.get(f"act-{n}-field", ""), "value": raw.strip()}
        elif kind == "webhook":
            value = {"url": post.get(f"act-{n}-url", "").strip(),
                     "secret": post.get(f"act-{n}-secret", "")}
        elif kind == "notify":
            value = {"template": post.get(f"act-{n}-template", "")}
            for key in ("subject", "body"):
                texts = _localized(post, n, key)
                if texts:
                    value[key] = texts
        else:
            value = raw.strip()
        actions.append({"type": kind, "value": value})
        rows.append({"path": f"actions[{len(actions) - 1}]", "type": kind, "value": value})
    return actions, rows


def readable_error(message: str, condition_rows: list[dict], action_rows: list[dict]) -> str:
    """``conditions.all[1].op: …`` becomes ``Condition 3: …`` (the row as the manager sees it)."""
    for number, row in enumerate(condition_rows, start=1):
        if message.startswith(row["path"]):
            rest = message[len(row["path"]):].lstrip(".")
            return _("Condition %(n)d: %(detail)s") % {"n": number, "detail": rest}
    for number, row in enumerate(action_rows, start=1):
        if message.startswith(row["path"]):
            rest = message[len(row["path"]):].lstrip(".")
            return _("Action %(n)d: %(detail)s") % {"n": number, "detail": rest}
    return message
