"""Links from a number to the rows behind it: the agent queue or the responses list.

Every ticket figure of the dashboards links to the ticket list (/) with the filters of
its definition (metrics/queries/ticket_figures.py), so the list's count is the number
clicked: ``view=all`` (not "my open tickets"), ``counted=1`` (no spam, no merged
tickets, like every metric), the figure's anchor date in the period, and the
figure's own condition (an SLA target, first contact resolution, a reopen).
"""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

from django.urls import reverse

from .definitions import BY_NAME, chosen
from .filters import MetricFilters

UNRESOLVED = "new,open,pending,on_hold"


def _ticket_params(f: MetricFilters) -> dict:
    return {d.queue: value for d, value in chosen(f)}


def queue_link(f: MetricFilters, *, anchor: str = "created", **extra) -> str:
    """The agent queue filtered like the figure; ``anchor`` names the date it counts by
    (created, solved, responded) in the period; empty: counted by ``extra`` alone."""
    params = {"view": "all", "counted": "1", **_ticket_params(f)}
    if anchor:
        params[f"{anchor}_after"] = f.start.isoformat()
        params[f"{anchor}_before"] = f.end.isoformat()
    params.update({k: v for k, v in extra.items() if v})
    return f"{reverse('tickets:queue')}?{urlencode(params)}"


def responses_link(f: MetricFilters, **extra) -> str:
    params = f.query_params() | {k: v for k, v in extra.items() if v}
    return f"{reverse('metrics:responses')}?{urlencode(params)}"


def ticket_figure_links(f: MetricFilters, **extra) -> dict[str, str]:
    """The ticket list behind each ticket figure; ``extra`` narrows to a table's row."""
    return {
        "created": queue_link(f, anchor="created", **extra),
        "solved": queue_link(f, anchor="solved", **extra),
        # Unresolved now, created before the end of the period (the backlog's definition).
        "backlog": queue_link(f, anchor="", status=UNRESOLVED, created_before=f.end.isoformat(),
                              **extra),
        # A share opens the tickets it is a share of (its n): the SLA shares the tickets with
        # a target answered/solved in the period; FCR and reopen rate the solved tickets.
        "first_response": queue_link(f, anchor="responded", sla_target="first_response", **extra),
        "resolution": queue_link(f, anchor="solved", sla_target="resolution", **extra),
        # A median or p90 opens the tickets it is taken over: those with a measured
        # business time, answered/solved in the period (their count is the figure's n).
        "first_response_time": queue_link(f, anchor="responded", timed="first_response",
                                          **extra),
        "resolution_time": queue_link(f, anchor="solved", timed="resolution", **extra),
    }


def dashboard_links(f: MetricFilters) -> dict[str, str]:
    return {
        "nps": responses_link(f, metric="nps"),
        "csat": responses_link(f, metric="csat"),
        "ces": responses_link(f, metric="ces"),
        "responses": responses_link(f),
        **ticket_figure_links(f),
    }


def row_links(f: MetricFilters, by: str, key) -> dict[str, str]:
    """The links of one row of a breakdown table (by channel, agent or team)."""
    if by == "agent" and key is None:
        # The unassigned tickets' row: the queue's assignee=none, the responses of tickets
        # nobody was assigned (agent=none on the responses list).
        nobody = dataclasses.replace(f, agent_id=None)
        return ticket_figure_links(nobody, assignee="none") | _response_links(nobody,
                                                                              agent="none")
    narrowed = dataclasses.replace(f, **{BY_NAME[by].attr: key})
    return ticket_figure_links(narrowed) | _response_links(narrowed)


def _response_links(f: MetricFilters, **extra) -> dict[str, str]:
    return {metric: responses_link(f, metric=metric, **extra) for metric in ("nps", "csat", "ces")}


def response_links(f: MetricFilters) -> dict[str, str]:
    """The responses behind each score of ``f`` (the agent dashboard's two columns)."""
    return _response_links(f)
