"""The managers' rules pages: the ordered list and the rule form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.permissions import staff_required

from . import services, widgets
from .forms import RuleForm, readable_error
from .models import Rule
from .schema import EVENTS, PLACEHOLDERS

manager_required = staff_required(managers_only=True)


def _rule(pk: int) -> Rule:
    rule = Rule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404
    return rule


@manager_required
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = list(Rule.objects.order_by("kind", "position", "pk"))
    event_labels = {k: str(v) for k, v in EVENTS.items()}
    for rule in rules:
        rule.event_labels = [event_labels.get(e, e) for e in rule.events]
    return render(request, "rules/list.html", {
        "triggers": [r for r in rules if r.kind == Rule.Kind.TRIGGER],
        "automations": [r for r in rules if r.kind == Rule.Kind.AUTOMATION],
    })


@manager_required
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = _rule(pk) if pk else None
    initial = ({"name": rule.name, "kind": rule.kind, "events": rule.events, "active": rule.active}
               if rule else {"kind": request.GET.get("kind", Rule.Kind.TRIGGER), "active": True})
    form = RuleForm(request.POST or None, initial=initial)
    if rule:
        cond_rows, act_rows = widgets.rows_from_rule(rule.conditions, rule.actions)
    else:
        cond_rows, act_rows = [], []
    if request.method == "POST":
        valid = form.is_valid()
        data = form.rule_data()
        cond_rows, act_rows = form.condition_rows, form.action_rows
        if valid and _save(request, form, rule, data):
            messages.success(request, _("Rule “%(name)s” saved.") % {"name": data["name"]})
            return redirect("rules:list")
    options = widgets.Options()
    return render(request, "rules/form.html", {
        "form": form, "rule": rule,
        "condition_rows": widgets.condition_rows(options, cond_rows),
        "action_rows": widgets.action_rows(options, act_rows),
        "fields": widgets.field_specs(), "ops": widgets.op_choices(),
        "action_types": widgets.action_choices(), **widgets.banks(options),
        "placeholders": ", ".join(f"{{{{{name}}}}}" for name in PLACEHOLDERS),
        "new_condition": widgets.condition_rows(options, [{"field": "channel", "op": "is"}])[0],
        "new_action": widgets.action_rows(options, [{"type": "set_team"}])[0],
    })


def _save(request: HttpRequest, form: RuleForm, rule: Rule | None, data: dict) -> bool:
    try:
        if rule is None:
            services.create_rule(actor=request.user, **data)
        else:
            services.update_rule(rule=rule, actor=request.user, **data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            for message in errors:
                text = readable_error(message, form.condition_rows, form.action_rows)
                form.add_error(field if field in ("name", "kind", "events") else None, text)
        return False
    return True


@require_POST
@manager_required
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _rule(pk)
    services.delete_rule(rule=rule)
    messages.success(request, _("Rule “%(name)s” deleted.") % {"name": rule.name})
    return redirect("rules:list")


@require_POST
@manager_required
def rule_move(request: HttpRequest, pk: int) -> HttpResponse:
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        return HttpResponse(_("Move up or down."), status=400)
    services.move_rule(rule=_rule(pk), direction=direction, actor=request.user)
    return redirect("rules:list")


@require_POST
@manager_required
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    rule = services.set_rule_active(rule=_rule(pk), active=request.POST.get("active") == "1",
                                    actor=request.user)
    if rule.active:
        messages.success(request, _("Rule “%(name)s” switched on.") % {"name": rule.name})
    else:
        messages.success(request, _("Rule “%(name)s” switched off.") % {"name": rule.name})
    return redirect("rules:list")
