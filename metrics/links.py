"""Links from a number to the rows behind it: the agent queue or the responses list."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from .filters import MetricFilters


def _ticket_params(f: MetricFilters) -> dict:
    params = {"channel": f.channel, "team": f.team_id or "", "assignee": f.agent_id or "",
              "priority": f.priority, "tier": f.tier}
    return {k: v for k, v in params.items() if v}


def queue_link(f: MetricFilters, *, anchor: str = "created", **extra) -> str:
    """The agent queue (/) filtered like the figure; ``anchor`` names the date it counts by."""
    # The queue's created_before is exclusive, like the end of a metrics period.
    # solved_after/solved_before are asked of the queue (see the report); until it
    # has them the link shows every solved ticket of the filters.
    params = _ticket_params(f)
    if anchor:
        params[f"{anchor}_after"] = f.start.isoformat()
        params[f"{anchor}_before"] = f.end.isoformat()
    params.update({k: v for k, v in extra.items() if v})
    return f"{reverse('tickets:queue') if _has_queue() else '/'}?{urlencode(params)}"


def _has_queue() -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse("tickets:queue")
    except NoReverseMatch:
        return False
    return True


def responses_link(f: MetricFilters, **extra) -> str:
    params = f.query_params() | {k: v for k, v in extra.items() if v}
    return f"{reverse('metrics:responses')}?{urlencode(params)}"


def dashboard_links(f: MetricFilters) -> dict[str, str]:
    return {
        "nps": responses_link(f, metric="nps"),
        "csat": responses_link(f, metric="csat"),
        "ces": responses_link(f, metric="ces"),
        "responses": responses_link(f),
        "first_response": queue_link(f, anchor="created"),
        "solved": queue_link(f, anchor="solved", status="solved,closed"),
        "created": queue_link(f, anchor="created"),
        "backlog": queue_link(f, anchor="", status="new,open,pending,on_hold"),
    }
