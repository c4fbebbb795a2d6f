"""Relationship NPS, organizations by risk, alerts (docs/relationship-surveys.md)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tickets.models import Organization

from . import health, relationship
from .alert_forms import AlertSubscriptionForm
from .alert_models import Alert, AlertSubscription
from .alerts import subject_name
from .views import manager_required


@manager_required
def relationship_dashboard(request: HttpRequest) -> HttpResponse:
    """One relationship program's score in its own metric: the trend by wave, and per
    organization and tier for one wave (the latest by default)."""
    programs = relationship.programs()
    program = _chosen(request, "program", programs)
    if program is False:
        return HttpResponseBadRequest(_("Unknown relationship program: “program”."))
    program = program or (programs[0] if programs else None)
    waves = relationship.by_wave(program) if program else []
    program_waves = list(program.waves.order_by("number")) if program else []
    wave = _chosen(request, "wave", program_waves)
    if wave is False:
        return HttpResponseBadRequest(_("Unknown wave of this program: “wave”."))
    if wave is None and waves:
        wave = next(w for w in program_waves if w.pk == waves[-1]["wave_id"])
    tiers = relationship.by_tier(program, wave.pk if wave else None) if program else []
    organizations = (relationship.by_organization(program, wave.pk if wave else None)
                     if program else [])
    labels = dict(Organization.Tier.choices)
    for row in tiers:
        row["label"] = labels.get(row["organization_tier"], row["organization_tier"])
    for row in organizations:
        row["tier_label"] = labels.get(row["organization__tier"], row["organization__tier"])
    return render(request, "metrics/relationship.html", {
        "programs": programs, "program": program, "waves": waves, "wave": wave,
        "tiers": tiers, "organizations": organizations, "asks": relationship.asks_by_kind(),
    })


def _chosen(request: HttpRequest, name: str, choices: list):
    """The choice whose pk the query parameter names; None when absent, False when it
    names none of them (a 400 naming the parameter)."""
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    found = [c for c in choices if str(c.pk) == value]
    return found[0] if found else False


@manager_required
def organizations_at_risk(request: HttpRequest) -> HttpResponse:
    return render(request, "metrics/risk.html", {"rows": health.organizations_by_risk()})


def _alerts_page(request, form, status=200) -> HttpResponse:
    subscriptions = list(AlertSubscription.objects.filter(user=request.user).order_by("pk"))
    for sub in subscriptions:  # a handful per manager
        sub.name = subject_name(sub.subject, sub.subject_key) or sub.subject_key
    alerts = list(Alert.objects.filter(user=request.user).order_by("-created_at")[:50])
    response = render(request, "metrics/alerts.html", {
        "form": form, "subscriptions": subscriptions, "alerts": alerts}, status=status)
    Alert.objects.filter(user=request.user, read_at=None).update(read_at=timezone.now())
    return response


@manager_required
def alerts(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _alerts_page(request, AlertSubscriptionForm())
    form = AlertSubscriptionForm(request.POST, instance=AlertSubscription(user=request.user))
    if not form.is_valid():
        return _alerts_page(request, form, status=400)
    if AlertSubscription.objects.filter(user=request.user, **{
            k: form.cleaned_data[k] for k in ("metric", "subject", "subject_key")}).exists():
        form.add_error(None, _("You already subscribe to this alert."))
        return _alerts_page(request, form, status=400)
    form.save()
    messages.success(request, _("Alert subscription saved."))
    return redirect("metrics:alerts")


@require_POST
@manager_required
def delete_subscription(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(AlertSubscription, pk=pk, user=request.user).delete()
    messages.success(request, _("Alert subscription removed."))
    return redirect("metrics:alerts")


@manager_required
def alerts_badge(request: HttpRequest) -> HttpResponse:
    """The top bar's unread count, fetched by htmx after the page loads (no query of the
    page itself)."""
    unread = Alert.objects.filter(user=request.user, read_at=None).count()
    return render(request, "metrics/_alerts_badge.html", {"unread": unread})
