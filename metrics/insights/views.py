"""The insight pages: key drivers, comment themes, revenue at risk (managers)."""

from __future__ import annotations

import csv

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import Action
from audit.services import record
from surveys.models import Kind, Metric

from ..filters import PRESETS, parse_filters
from ..queries.churn import CATEGORIES
from ..views import PERIOD_KEYS, filter_choices, manager_required
from . import drivers, params, revenue
from .themes.report import themes_report

METRIC_TITLES = {Metric.NPS: _("NPS"), Metric.CSAT: _("CSAT %"), Metric.CES: _("CES (mean, 1–7)")}


def page_filters(request: HttpRequest, allowed: tuple[str, ...]):
    """(filters, errors): a bad period or filter falls back to the defaults with the
    message shown beside the form and status 400 (as the dashboard does)."""
    errors = []
    try:
        params.check_names(request.GET, allowed)
        return parse_filters(request.GET, me_id=request.user.pk), errors
    except ValidationError as exc:
        errors = exc.messages
    kept = {k: v for k, v in request.GET.items() if k not in PERIOD_KEYS and k in params.FILTER_NAMES}
    try:
        return parse_filters(kept, me_id=request.user.pk), errors
    except ValidationError:
        return parse_filters({}, me_id=request.user.pk), errors


def page_metric(request: HttpRequest, errors: list[str]) -> str:
    try:
        return params.metric_param(request.GET, default=Metric.NPS)
    except ValidationError as exc:
        errors += exc.messages
        return Metric.NPS


def page_kind(request: HttpRequest, errors: list[str]) -> str:
    try:
        return params.kind_param(request.GET)
    except ValidationError as exc:
        errors += exc.messages
        return Kind.TRANSACTIONAL


def kind_context(kind: str) -> dict:
    """The survey kind control (tabs, like the metric's): transactional by default."""
    return {"kind": kind, "kinds": Kind.choices, "kind_label": Kind(kind).label}


def interval_plot(rows: list[dict], width: int = 160) -> None:
    """x positions (in an SVG of ``width``) of each row's difference and interval, on one
    scale for the table, with zero marked."""
    ends = [v for r in rows for v in (r["ci_low"], r["ci_high"]) if v is not None] + [0.0]
    low, high = min(ends), max(ends)
    span = (high - low) or 1.0
    # strings, so that a Finnish page does not write SVG coordinates with a decimal comma
    x = lambda v: str(round(4 + (width - 8) * (v - low) / span, 1))  # noqa: E731
    for r in rows:
        r["plot"] = None if r["ci_low"] is None else {
            "low": x(r["ci_low"]), "high": x(r["ci_high"]), "point": x(r["difference"]),
            "zero": x(0.0), "width": width}


CATEGORY_LABELS = {"promoter": _("Promoters"), "passive": _("Passives"),
                   "detractor": _("Detractors"), "no_answer": _("No NPS answer")}

CSV_COLUMNS = ("rank", "factor", "level", "n", "score", "rest_n", "rest_score", "difference",
               "ci_low", "ci_high", "share", "gain", "too_few", "reason", "kind",
               "factor_label", "level_label")


def drivers_csv(result: dict) -> HttpResponse:
    """One row per level; ``kind`` repeats the survey kind, the labels are in the user's
    language (a custom field's option labels, not its keys)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"drivers-{result['metric']}-{result['kind']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in result["drivers"]:
        row = row | {"kind": result["kind"]}
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in CSV_COLUMNS])
    return response


@manager_required
def key_drivers(request: HttpRequest) -> HttpResponse:
    f, errors = page_filters(request, ("metric", "kind", "factor"))
    metric = page_metric(request, errors)
    kind = page_kind(request, errors)
    result = drivers.key_drivers(f, metric, kind=kind)
    if request.GET.get("format") == "csv" and not errors:
        record(action=Action.EXPORT, request=request,
               detail={"export": f"drivers-{metric}-{kind}.csv", "filters": f.query_params()})
        return drivers_csv(result)
    interval_plot(result["drivers"])
    context = {
        "filters": f, "params": f.query_params(), "choices": filter_choices(), "presets": PRESETS,
        "hidden_params": {"metric": metric, "kind": kind}, "metric": metric,
        "metrics": METRIC_TITLES.items(), **kind_context(kind),
        "metric_title": METRIC_TITLES[metric], "result": result, "digits": drivers.DIGITS[metric],
        "filter_errors": errors,
        "entered": {key: request.GET.get(key, "") for key in ("from", "to")},
    }
    return render(request, "metrics/insights/drivers.html", context, status=400 if errors else 200)


def sparkline(trend: list[dict], width: int = 120, height: int = 24) -> str:
    """SVG polyline points of weekly counts (drawn without inline styles)."""
    if not trend:
        return ""
    top = max(point["n"] for point in trend) or 1
    step = width / max(1, len(trend) - 1)
    return " ".join(f"{round(i * step, 1)},{round(height - 2 - (height - 4) * p['n'] / top, 1)}"
                    for i, p in enumerate(trend))


@manager_required
def comment_themes(request: HttpRequest) -> HttpResponse:
    f, errors = page_filters(request, ("metric", "kind"))
    metric = page_metric(request, errors)
    kind = page_kind(request, errors)
    report = themes_report(f, metric, kind=kind)
    for theme in report["themes"]:
        theme["points"] = sparkline(theme["trend"])
    context = {
        "filters": f, "params": f.query_params(), "choices": filter_choices(), "presets": PRESETS,
        "hidden_params": {"metric": metric, "kind": kind}, "metric": metric,
        "metrics": METRIC_TITLES.items(), **kind_context(kind),
        "metric_title": METRIC_TITLES[metric], "report": report, "filter_errors": errors,
        "segments": [(_("Among detractors"), report["n_detractor_comments"], report["detractor_themes"]),
                     (_("Among promoters"), report["n_promoter_comments"], report["promoter_themes"])],
        "entered": {key: request.GET.get(key, "") for key in ("from", "to")},
    }
    return render(request, "metrics/insights/themes.html", context, status=400 if errors else 200)


@manager_required
def revenue_at_risk(request: HttpRequest) -> HttpResponse:
    f, errors = page_filters(request, ())
    today = timezone.localdate()
    rates = revenue.churn_rates(today)
    report = revenue.renewal_report(f)
    page = Paginator(revenue.open_follow_ups(f, today=today, rates=rates), 50).get_page(
        request.GET.get("page"))
    for fu in page:
        fu.category_label = CATEGORY_LABELS[fu.category]
    context = {
        "filters": f, "params": f.query_params(), "choices": filter_choices(), "presets": PRESETS,
        "rates": [(c, CATEGORY_LABELS[c], rates.get(c)) for c in CATEGORIES],
        "page": page, "total_at_risk": revenue.total_at_risk(f, today=today, rates=rates),
        "report": report, "to_record": revenue.follow_ups_without_renewal(f), "now": timezone.now(),
        "groups": [("in_time", _("Closed within the due time"), report["in_time"]),
                   ("overdue", _("Went overdue"), report["overdue"])],
        "filter_errors": errors, "next": request.get_full_path(),
        "entered": {key: request.GET.get(key, "") for key in ("from", "to")},
    }
    return render(request, "metrics/insights/revenue.html", context, status=400 if errors else 200)
