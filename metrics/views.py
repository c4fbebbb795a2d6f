"""Dashboards for managers and agents. Thin: the numbers come from metrics/fast/read.py."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from helpdesk.models import User
from helpdesk.permissions import staff_required
from surveys.models import FollowUp
from tickets.models import Channel, Organization, Team, Ticket
from tickets.queries import team_ids_of

from . import custom_fields
from .access import ScopeDenied, scope_for
from .fast import read
from .filters import PRESETS, MetricFilters, parse_filters
from .links import dashboard_links, response_links, row_links, ticket_figure_links
from .tiles import headline_tiles, score_comparisons

# The dashboards admit analysts (figures only, docs/roles.md); the installation-wide
# pages are for managers, admins and analysts.
dashboard_access = staff_required(analysts=True)
manager_required = staff_required(analysts=True, managers_only=True)


def request_filters(request: HttpRequest) -> MetricFilters:
    return parse_filters(request.GET, me_id=request.user.pk)


PERIOD_KEYS = ("from", "to", "days")


def filters_or_errors(params, *, me_id: int | None = None) -> tuple[MetricFilters, list[str]]:
    """The filters, or when they are invalid (From after To, a bad date) the default
    period with the other filters kept, and the messages to show beside the form."""
    try:
        return parse_filters(params, me_id=me_id), []
    except ValidationError as exc:
        errors = exc.messages
    kept = {k: v for k, v in params.items() if k not in PERIOD_KEYS}
    try:
        return parse_filters(kept, me_id=me_id), errors
    except ValidationError:  # another filter is bad too: the defaults, every message
        return parse_filters({}, me_id=me_id), errors


def filter_error_context(request: HttpRequest, errors: list[str]) -> dict:
    """What the filter form shows when the period was refused: the dates as entered."""
    if not errors:
        return {}
    return {"filter_errors": errors,
            "entered": {key: request.GET.get(key, "") for key in ("from", "to")}}


def filter_choices() -> dict:
    return {
        "presets": PRESETS,
        "channels": Channel.choices,
        "tiers": Organization.Tier.choices,
        "priorities": Ticket.Priority.choices,
        "teams": list(Team.objects.values_list("pk", "name")),
        "agents": list(User.objects.filter(is_active=True).order_by("name")
                       .values_list("pk", "name")),
    }


TABLE_TITLES = {"channel": (_("By channel"), _("Channel")), "agent": (_("By agent"), _("Agent")),
                "team": (_("By team"), _("Team"))}


def breakdown_table(by: str, rows: list[dict], f: MetricFilters | None = None) -> dict:
    for row in rows:  # the filter key that narrows a link to this row's group
        row[f"{by}_key"] = "" if row["key"] is None else row["key"]
        if f is not None:  # every number of the row opens the tickets or responses behind it
            row["links"] = row_links(f, by, row["key"])
    title, heading = TABLE_TITLES[by]
    return {"by": by, "title": title, "heading": heading, "rows": rows}


def _axis_label(label):
    """A period's first day in the page language's short date format (1.11.2026)."""
    try:
        return date_format(date.fromisoformat(str(label)), "SHORT_DATE_FORMAT")
    except ValueError:
        return label


def chart_data(trend: list[dict]) -> dict:
    """Series for the trend charts; error bars as [low, high] per point."""
    def nps_range(row):
        nps = row["nps"]
        if nps["score"] is None:
            return None
        return [max(-100, nps["score"] - nps["margin_of_error"]),
                min(100, nps["score"] + nps["margin_of_error"])]

    hours = lambda s: None if s is None else round(s / 3600, 2)  # noqa: E731
    return {
        "labels": [_axis_label(row["label"]) for row in trend],
        "names": {"nps": str(_("NPS")), "csat": str(_("CSAT %")),
                  "csat_mean": str(_("CSAT mean")),
                  "first_response": str(_("First response, hours")),
                  "resolution": str(_("Resolution, hours"))},
        "nps": [row["nps"]["score"] for row in trend],
        "nps_range": [nps_range(row) for row in trend],
        "nps_too_few": [row["nps"]["too_few"] for row in trend],
        "csat": [row["csat"]["score"] for row in trend],
        "csat_range": [[row["csat"]["ci_low"], row["csat"]["ci_high"]] for row in trend],
        "csat_mean": [row["csat"]["mean"] for row in trend],
        "csat_too_few": [row["csat"]["too_few"] for row in trend],
        "first_response": [hours(row["first_response"]["median_seconds"]) for row in trend],
        "resolution": [hours(row["resolution"]["median_seconds"]) for row in trend],
    }


def freshness(f: MetricFilters, *, every_figure: bool = False, state=False) -> dict:
    """When the rollups answered this period: the time of their last refresh, else None.
    ``every_figure``: medians and backlog are as of that refresh too (cached dashboard);
    ``state``: the RollupState already read."""
    state = read.rollup_state() if state is False else state
    return {"as_of": read.as_of(f, state), "every_figure": every_figure}


@dashboard_access
def dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.sees_all_figures:
        return redirect("metrics:agent_dashboard")
    f, errors = filters_or_errors(request.GET, me_id=request.user.pk)
    state, choices = read.rollup_state(), filter_choices()
    # The choices already hold every active agent's and every team's name: label the tables
    # from them (group_labels asks only when a row names someone else).
    names = {"agent": {pk: name for pk, name in choices["agents"] if name},
             "team": dict(choices["teams"])}
    figures = read.dashboard_figures(f, read.trend_dimension(f), state=state, names=names)
    current, previous, trend = figures["current"], figures["previous"], figures["trend"]
    context = {
        "filters": f, "params": f.query_params(), "choices": choices, "presets": PRESETS,
        "summary": current, "tiles": headline_tiles(current, previous, dashboard_links(f)),
        "chart_data": chart_data(trend), "trend_by": read.trend_dimension(f),
        "tables": [breakdown_table(by, rows, f) for by, rows in figures["tables"].items()],
        "follow_ups": read.follow_up_summary(f),
        "chat": read.chat_figures(f),  # live chat (metrics/queries/chat.py)
        "min_responses": settings.HELPDESK_MIN_RESPONSES, "freshness": freshness(f, every_figure=figures["all_as_of_refresh"], state=state),
        **filter_error_context(request, errors),
        **custom_fields.dashboard_section(request.GET, f),  # by a custom dropdown
    }
    # 400 with the whole page: the figures of the default period, the error beside the form.
    return render(request, "metrics/dashboard.html", context, status=400 if errors else 200)


@dashboard_access
def agent_dashboard(request: HttpRequest) -> HttpResponse:
    f, errors = filters_or_errors({k: v for k, v in request.GET.items() if k in PERIOD_KEYS})
    team_ids = team_ids_of(request.user)
    team_id = int(request.GET["team"]) if request.GET.get("team", "").isdigit() else None
    team_id = team_id if team_id in team_ids else (team_ids[0] if team_ids else None)
    mine = read.summary(MetricFilters(f.start, f.end, agent_id=request.user.pk))
    team_summary = (read.summary(MetricFilters(f.start, f.end, team_id=team_id))
                    if team_id else None)
    my_follow_ups = (FollowUp.objects.filter(assignee=request.user, status=FollowUp.Status.OPEN)
                     .select_related("ticket", "response").order_by("due_at")[:20])
    context = {
        "filters": f, "params": f.query_params(), "presets": PRESETS, "mine": mine,
        "team_summary": team_summary, "team": Team.objects.filter(pk=team_id).first(),
        "teams": Team.objects.filter(pk__in=team_ids),
        "comparisons": score_comparisons(mine, team_summary) if team_summary else {},
        "my_follow_ups": my_follow_ups,
        "my_follow_up_summary": read.follow_up_summary(
            MetricFilters(f.start, f.end, agent_id=request.user.pk)),
        "freshness": freshness(MetricFilters(f.start, f.end)),
        # The tickets behind the agent's and the team's figures (both visible to the agent).
        "my_links": ticket_figure_links(MetricFilters(f.start, f.end, agent_id=request.user.pk)),
        "team_links": (ticket_figure_links(MetricFilters(f.start, f.end, team_id=team_id))
                       if team_id else {}),
        "my_response_links": response_links(MetricFilters(f.start, f.end,
                                                          agent_id=request.user.pk)),
        "team_response_links": (response_links(MetricFilters(f.start, f.end, team_id=team_id))
                                if team_id else {}),
        **filter_error_context(request, errors),
    }
    return render(request, "metrics/agent_dashboard.html", context, status=400 if errors else 200)


def scoped_filters_or_403(request: HttpRequest, *, by: str | None = None) -> MetricFilters:
    f = request_filters(request)
    try:
        return scope_for(request.user, f, by=by)
    except ScopeDenied as exc:
        raise PermissionDenied(exc.message) from None
