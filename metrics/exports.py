"""CSV export of every dashboard table and the responses list behind a number."""

from __future__ import annotations

import csv

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from audit.models import Action
from audit.services import record
from surveys.models import Kind, Metric

from . import definitions
from .fast import read
from .insights.themes.report import responses_of_kind
from .models import CommentTheme
from .queries.families import filtered_responses
from .views import dashboard_access, scoped_filters_or_403

COLUMNS = [
    ("label", ("label",)), ("nps", ("nps", "score")), ("nps_n", ("nps", "n")),
    ("nps_margin", ("nps", "margin_of_error")), ("csat_pct", ("csat", "score")),
    ("csat_ci_low", ("csat", "ci_low")), ("csat_ci_high", ("csat", "ci_high")),
    ("csat_mean", ("csat", "mean")), ("csat_n", ("csat", "n")), ("ces", ("ces", "score")),
    ("ces_easy_pct", ("ces", "easy_pct")), ("ces_n", ("ces", "n")),
    ("response_rate", ("response_rate",)),
    ("first_response_median_s", ("first_response", "median_seconds")),
    ("first_response_p90_s", ("first_response", "p90_seconds")),
    ("first_response_sla_met_pct", ("first_response", "sla_met_pct")),
    ("resolution_median_s", ("resolution", "median_seconds")),
    ("resolution_p90_s", ("resolution", "p90_seconds")),
    ("resolution_sla_met_pct", ("resolution", "sla_met_pct")),
    *((rate.field, (rate.field,)) for rate in definitions.RATES),
    ("tickets_created", ("tickets_created",)), ("tickets_solved", ("tickets_solved",)),
]

# "The responses behind this number": the score bands of metrics/definitions.py.
CATEGORIES = {name: {"metric": band.metric, **band.lookups()}
              for name, band in definitions.CATEGORIES.items()}


def _cell(row: dict, path: tuple[str, ...]):
    value = row
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None else value


@dashboard_access
def export_table(request: HttpRequest, by: str) -> HttpResponse:
    if by not in read.DIMENSIONS:
        raise Http404
    try:
        f = scoped_filters_or_403(request, by=by)
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    record(action=Action.EXPORT, request=request,
           detail={"export": f"metrics-{by}.csv", "filters": f.query_params()})
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="metrics-{by}.csv"'
    writer = csv.writer(response)
    writer.writerow([by, *[name for name, _ in COLUMNS]])
    for row in read.breakdown(f, by):
        writer.writerow([row["key"], *[_cell(row, path) for _, path in COLUMNS]])
    return response


@dashboard_access
def responses(request: HttpRequest) -> HttpResponse:
    """The responses behind a score, with the same filters (agents: their own scope)."""
    # agent=none: the responses of tickets nobody was assigned (the dashboard's
    # "unassigned" row); the other filters parse as usual.
    nobody = request.GET.get("agent") == "none"
    if nobody:
        request.GET = request.GET.copy()
        del request.GET["agent"]
    try:
        f = scoped_filters_or_403(request)
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    kind = request.GET.get("kind", "")
    # The themes page links relationship comments here with kind=relationship.
    qs = responses_of_kind(f, kind) if kind in Kind.values else filtered_responses(f)
    metric, category = request.GET.get("metric", ""), request.GET.get("category", "")
    if metric in Metric.values:
        qs = qs.filter(metric=metric)
    if category in CATEGORIES:
        qs = qs.filter(**CATEGORIES[category])
    if nobody:
        qs = qs.filter(agent__isnull=True)
    theme = request.GET.get("theme", "")
    if theme.isdigit():  # the comments of one theme (docs/insights.md)
        qs = qs.filter(comment_theme__theme_id=int(theme))
    qs = qs.select_related("ticket", "agent", "team").order_by("-created_at", "-pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    if request.GET.get("format") == "csv":
        record(action=Action.EXPORT, request=request,
               detail={"export": "responses.csv", "filters": f.query_params()})
        return _responses_csv(qs[:10000], tickets=not request.user.is_analyst)
    return render(request, "metrics/responses.html", {
        "page": page, "filters": f, "metric": metric, "category": category,
        "params": f.query_params() | ({"metric": metric} if metric else {})
        | ({"theme": theme} if theme.isdigit() else {}) | ({"kind": kind} if kind in Kind.values else {})
        | ({"agent": "none"} if nobody else {}),
        "categories": list(CATEGORIES),
        "theme": CommentTheme.objects.filter(pk=int(theme)).first() if theme.isdigit() else None,
    })


def _responses_csv(rows, *, tickets: bool = True) -> HttpResponse:
    """Analysts get no ticket references (docs/roles.md): figures, not tickets."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="responses.csv"'
    writer = csv.writer(response)
    writer.writerow(["created_at", "metric", "score", "ticket", "channel", "agent", "team",
                     "comment"])
    for r in rows:
        writer.writerow([r.created_at.isoformat(), r.metric, r.score,
                         r.ticket.reference if tickets else "",
                         r.channel, r.agent or "", r.team or "", r.comment])
    return response
