"""Custom field values: parse, validate and write them (docs/custom-fields.md).

Every door (ticket page, API, bulk, portal, rules, macros) changes values through
``apply_ticket_changes(changes={"fields": {key: value}})``, which calls
``clean_changes`` before anything is written and ``write_values`` in its order, and
refuses a solve while a field marked "required on solve" is empty
(``check_required_on_solve``). Errors are keyed ``field_<key>`` (the name of the
field in forms and query strings) and say the field's label.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import EllipsisType
from typing import Any

from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db.models import CharField, StringAgg, Value
from django.db.models.functions import Cast
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from helpdesk import versioned
from helpdesk.models import User
from helpdesk.prepared import Prepared

from ..models import CustomField, Team, Ticket, TicketFieldValue
from .events import record_event

MAX_TEXT = 255
TRUE, FALSE = "true", "false"

# ``team_id`` of a ticket about to move (None: no team), or ``...``: its own team.
TeamChoice = int | None | EllipsisType


# -- definitions --------------------------------------------------------------------------

@dataclass(frozen=True)
class _Fields:
    active: list[CustomField]  # in display order
    by_id: dict[int, CustomField]  # every field, inactive ones too (their values stay)


def _read_fields() -> _Fields:
    rows = (CustomField.objects.annotate(
        team_list=StringAgg(Cast("teams__id", CharField()), Value(","), default=Value("")))
        .order_by("position", "pk"))  # an aggregate drops Meta.ordering
    fields: list[CustomField] = []
    for field in rows:
        field.team_ids = {int(pk) for pk in field.team_list.split(",") if pk}
        fields.append(field)
    return _Fields(active=[f for f in fields if f.active], by_id={f.pk: f for f in fields})


# Read on every ticket page, queue page, API ticket and intake mail, changed by an admin
# now and then: one copy per process until the shared version moves (helpdesk/versioned.py).
_fields = versioned.Copy("tickets:custom-fields", _read_fields, recheck_after=1.0)


def active_fields() -> list[CustomField]:
    """Active fields in display order, each with ``team_ids`` set: the process's copy,
    read again (one query, the teams aggregated into a string with each field) when a
    field, its teams or a team is saved or deleted anywhere. The fields are shared by
    every caller in the process: read them, never change them."""
    return list(_fields.get().active)


def field_by_id() -> dict[int, CustomField]:
    """Every field, inactive ones too, by id (the same copy as ``active_fields``)."""
    return _fields.get().by_id


def forget_fields(*args: object, **kwargs: object) -> None:
    """A signal receiver: the fields changed, every process reads them again."""
    _fields.forget()


for _sender in (CustomField, CustomField.teams.through):
    post_save.connect(forget_fields, sender=_sender, dispatch_uid=f"fields-save-{_sender.__name__}")
    post_delete.connect(forget_fields, sender=_sender,
                        dispatch_uid=f"fields-delete-{_sender.__name__}")
m2m_changed.connect(forget_fields, sender=CustomField.teams.through, dispatch_uid="fields-teams")
post_delete.connect(forget_fields, sender=Team, dispatch_uid="fields-team-deleted")
setting_changed.connect(_fields.drop, dispatch_uid="fields-settings")


def fields_for(ticket: Ticket, fields: list[CustomField] | None = None, *,
               team_id: TeamChoice = ..., channel: str | None = None) -> list[CustomField]:
    """The active fields this ticket shows (its channel and team; ``team_id`` and
    ``channel`` override them for a ticket about to move or be created)."""
    channel = channel or ticket.channel
    team_id = ticket.team_id if team_id is ... else team_id
    return [f for f in (active_fields() if fields is None else fields)
            if (not f.channels or channel in f.channels)
            and (not f.team_ids or team_id in f.team_ids)]


# -- one value ----------------------------------------------------------------------------

def _error(field: CustomField, message: str) -> ValidationError:
    return ValidationError({field.param: f"{field.label}: {message}"}, code="invalid")


def _number(field: CustomField, raw: Any) -> str:
    if isinstance(raw, bool):
        raise _error(field, _("Enter a number."))
    text = str(raw).strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _error(field, _("Enter a number.")) from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 14:
        raise _error(field, _("Enter a number.")) from None
    number = number.quantize(Decimal("0.0001")).normalize()
    return format(number, "f")


def _option(field: CustomField, raw: Any) -> str:
    keys = [o["key"] for o in field.options]
    if not isinstance(raw, str) or raw not in keys:
        raise _error(field, _("Choose one of: %(choices)s.") % {"choices": ", ".join(keys)})
    return raw


def _checkbox(field: CustomField, raw: Any) -> str:
    if isinstance(raw, bool):
        return TRUE if raw else FALSE
    text = str(raw).strip().lower()
    if text in ("true", "1", "on", "yes"):
        return TRUE
    if text in ("false", "0", "off", "no"):
        return FALSE
    raise _error(field, _("Give true or false."))


def _date(field: CustomField, raw: Any) -> str:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw.isoformat()
    try:
        day = parse_date(raw.strip()) if isinstance(raw, str) else None
    except ValueError:
        day = None
    if day is None:
        raise _error(field, _("Enter a date as YYYY-MM-DD."))
    return day.isoformat()


def clean_value(field: CustomField, raw: Any) -> list[str]:
    """The value's canonical texts (several for a multi-select, none when empty)."""
    kind = field.type
    if raw is None or raw == "" or raw == []:
        return []
    if kind == CustomField.Type.MULTISELECT:
        items = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(items, list | tuple):
            raise _error(field, _("Give a list of options."))
        return sorted({_option(field, item.strip() if isinstance(item, str) else item)
                       for item in items if item != ""})
    if kind == CustomField.Type.DROPDOWN:
        return [_option(field, raw)]
    if kind == CustomField.Type.NUMBER:
        return [_number(field, raw)]
    if kind == CustomField.Type.CHECKBOX:  # only a ticked box is stored: unticked = empty
        return [TRUE] if _checkbox(field, raw) == TRUE else []
    if kind == CustomField.Type.DATE:
        return [_date(field, raw)]
    if not isinstance(raw, str):
        raise _error(field, _("Enter text."))
    text = raw.strip()
    if len(text) > MAX_TEXT:
        raise _error(field, _("At most %(n)d characters.") % {"n": MAX_TEXT})
    return [text] if text else []


def clean_filter_value(field: CustomField, raw: str) -> list[str]:
    """A filter's wanted values: for option fields one option or several separated by
    commas (any of them matches), otherwise one value of the field's type (a checkbox:
    "true" or "false")."""
    if field.type == CustomField.Type.CHECKBOX:
        return [_checkbox(field, raw)]
    if field.type in CustomField.WITH_OPTIONS:
        return sorted({_option(field, part.strip()) for part in raw.split(",") if part.strip()})
    return clean_value(field, raw)


def clean_values(raw: dict, fields: list[CustomField]) -> dict[CustomField, list[str]]:
    """``{key: value}`` checked against ``fields`` (the ones allowed here); every
    problem at once, each under ``field_<key>``."""
    if not isinstance(raw, dict):
        raise ValidationError({"fields": _("Give an object of field keys and values.")},
                              code="invalid")
    by_key = {f.key: f for f in fields}
    cleaned: dict[CustomField, list[str]] = {}
    errors: dict[str, list[str] | str] = {}
    for key, value in raw.items():
        field = by_key.get(key)
        if field is None:
            errors[f"field_{key}"] = _("Unknown field, or not one of this ticket's.")
            continue
        try:
            cleaned[field] = clean_value(field, value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors, code="invalid")
    return cleaned


def clean_changes(ticket: Ticket, raw: dict, *, team_id: TeamChoice = ...
                  ) -> dict[CustomField, list[str]]:
    return clean_values(raw, fields_for(ticket, team_id=team_id))


# -- reading and writing ------------------------------------------------------------------

_VALUES = Prepared(lambda ticket_id: TicketFieldValue.objects.filter(ticket_id=ticket_id)
                   .order_by("field_id", "value").values_list("field_id", "value"), many=True)


def values_of(ticket_id: int) -> dict[int, list[str]]:
    """Field id → the ticket's values (one query, its SQL built once per process)."""
    out: dict[int, list[str]] = {}
    for field_id, value in _VALUES.all(ticket_id):
        out.setdefault(field_id, []).append(value)
    return out


def check_required_on_solve(ticket: Ticket, cleaned: dict[CustomField, list[str]], *,
                            team_id: TeamChoice = ...) -> None:
    """Refuse to solve while a required field of the ticket is empty (after ``cleaned``)."""
    required = [f for f in fields_for(ticket, team_id=team_id) if f.required_on_solve]
    if not required:
        return
    current = values_of(ticket.pk)
    missing = {}
    for field in required:
        values = cleaned[field] if field in cleaned else current.get(field.pk, [])
        if not values or (field.type == CustomField.Type.CHECKBOX and values == [FALSE]):
            missing[field.param] = _("Fill in “%(label)s” before solving the ticket.") % {
                "label": field.label}
    if missing:
        raise ValidationError(missing, code="required")


def number_of(field: CustomField, value: str) -> Decimal | None:
    return Decimal(value) if field.type == CustomField.Type.NUMBER else None


def write_values(*, ticket: Ticket, cleaned: dict[CustomField, list[str]], actor: User | None,
                 now: dt.datetime | None = None) -> dict[str, list]:
    """Store the values; ``{"field.<key>": [old, new]}`` for each that changed."""
    now = now or timezone.now()
    current = values_of(ticket.pk)
    changes = {}
    for field, new in cleaned.items():
        old = current.get(field.pk, [])
        if old == new:
            continue
        TicketFieldValue.objects.filter(ticket=ticket, field=field).exclude(value__in=new).delete()
        TicketFieldValue.objects.bulk_create(
            [TicketFieldValue(ticket=ticket, field=field, value=v, number=number_of(field, v))
             for v in new if v not in old])
        old_text, new_text = ",".join(old), ",".join(new)
        record_event(ticket=ticket, field=f"field.{field.key}", old=old_text, new=new_text,
                     actor=actor, at=now)
        changes[f"field.{field.key}"] = [old_text or None, new_text or None]
    if changes:
        ticket.updated_at = now
        ticket.save(update_fields=["updated_at"])
    return changes


def display(field: CustomField, values: list[str]) -> str:
    """The value as people read it: option labels, localized numbers and dates, yes/no."""
    from django.utils.formats import date_format, number_format

    if not values:
        return ""
    if field.type in CustomField.WITH_OPTIONS:
        return ", ".join(field.option_label(v) for v in values)
    value = values[0]
    if field.type == CustomField.Type.CHECKBOX:
        return _("Yes") if value == TRUE else _("No")
    if field.type == CustomField.Type.NUMBER:
        return number_format(Decimal(value), use_l10n=True)
    if field.type == CustomField.Type.DATE:
        return date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    return value


def typed_value(field: CustomField, values: list[str]
                ) -> str | int | float | bool | list[str] | None:
    """A value as JSON: a list for multi-selects, numbers, booleans, else text."""
    if field.type == CustomField.Type.MULTISELECT:
        return values
    if not values:
        return None
    value = values[0]
    if field.type == CustomField.Type.NUMBER:
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)
    if field.type == CustomField.Type.CHECKBOX:
        return value == TRUE
    return value


def typed_values(pairs: Iterable[tuple[int, str]]) -> dict:
    """The values by key, from ``(field id, value)`` pairs (``TicketFieldValue`` rows)."""
    pairs = list(pairs)
    fields = field_by_id()
    if any(field_id not in fields for field_id, _value in pairs):
        _fields.drop()  # a field made in another process within the recheck window
        fields = field_by_id()
    grouped: dict[CustomField, list[str]] = {}
    for field_id, value in pairs:
        if field_id in fields:  # else deleted with its values since they were read
            grouped.setdefault(fields[field_id], []).append(value)
    return {field.key: typed_value(field, sorted(values)) for field, values in grouped.items()}


# -- definitions, as admins write them ----------------------------------------------------

def may_define_fields(user: object) -> bool:
    """Only admins define custom fields (they change every agent's ticket page)."""
    from helpdesk.permissions import is_staff_member

    return is_staff_member(user) and (user.is_superuser or user.role == "admin")


def clean_options(raw: Any, *, field_type: str) -> list[dict]:
    """Options as ``[{"key", "en", "fi"}]``: keys unique, both labels given; required
    for dropdowns and multi-selects, refused for the other types."""
    if raw in (None, ""):
        raw = []
    if not isinstance(raw, list):
        raise ValidationError({"options": _("Give a list of options.")}, code="invalid")
    if field_type not in CustomField.WITH_OPTIONS:
        if raw:
            raise ValidationError({"options": _("Only dropdowns and multi-selects have "
                                                "options.")}, code="invalid")
        return []
    if not raw:
        raise ValidationError({"options": _("Add at least one option.")}, code="required")
    out, seen = [], set()
    for n, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) and item[k].strip()
                                                 for k in ("key", "en", "fi")):
            raise ValidationError({"options": _("Option %(n)d: give a key and labels in "
                                                "English and Finnish.") % {"n": n}})
        key = item["key"].strip()
        if len(key) > 64 or "," in key:
            raise ValidationError({"options": _("Option %(n)d: a key is at most 64 characters "
                                                "without commas.") % {"n": n}})
        if key in seen:
            raise ValidationError({"options": _("Option %(n)d: the key “%(key)s” is given "
                                                "twice.") % {"n": n, "key": key}})
        seen.add(key)
        out.append({"key": key, "en": item["en"].strip()[:100], "fi": item["fi"].strip()[:100]})
    return out


def clean_channels(raw: Any) -> list[str]:
    from ..models import Channel

    if raw in (None, ""):
        return []
    if not isinstance(raw, list) or any(c not in Channel.values for c in raw):
        raise ValidationError({"channels": _("Choose among: %(choices)s.")
                               % {"choices": ", ".join(Channel.values)}}, code="invalid")
    return sorted(set(raw))

