"""The ticket page's time and links panels, and their actions (htmx, or a plain POST).

Each panel is gathered in a fixed number of queries: time in two (an aggregate and
the latest entries), links in two (the links with both tickets, the merged and
follow-up tickets), whatever their number.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Min, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from helpdesk.permissions import staff_required

from .. import policy
from ..models import Ticket, TicketLink, TimeEntry
from ..queries import get_ticket_for_agent
from ..services import links as link_services
from ..services import worklog

LATEST = 10


# -- context ------------------------------------------------------------------------------

def time_context(ticket: Ticket, user, **extra) -> dict:
    totals = TimeEntry.objects.filter(ticket=ticket).aggregate(
        total_seconds=Sum("seconds"), entry_count=Count("pk", filter=Q(seconds__isnull=False)),
        running_since=Min("worked_at", filter=Q(seconds__isnull=True, agent=user)))
    latest = list(TimeEntry.objects.filter(ticket=ticket, seconds__isnull=False)
                  .select_related("agent")[:LATEST])
    for entry in latest:
        entry.deletable = worklog.may_delete(user, entry)
    return {"ticket": ticket, "time": {**totals, "latest": latest,
                                       "more": max(0, totals["entry_count"] - len(latest))}, **extra}


def links_context(ticket: Ticket, user, **extra) -> dict:
    rows = []
    for link in (TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket))
                 .select_related("source", "target").order_by("pk")):
        other = link.target if link.source_id == ticket.pk else link.source
        if link.kind == TicketLink.Kind.RELATED:
            role = "related"
        else:  # the source is the incident: this ticket's ``other`` is its problem
            role = "problem" if link.source_id == ticket.pk else "incident"
        rows.append({"link": link, "other": other, "role": role, "label": ROLE_LABELS[role],
                     "visible": policy.can(user, policy.Action.VIEW, other)})
    others = Q(merged_into=ticket) | Q(follows_up=ticket)
    for pk in (ticket.merged_into_id, ticket.follows_up_id):
        if pk:
            others |= Q(pk=pk)
    for other in Ticket.objects.filter(others).only(
            "pk", "subject", "status", "merged_into_id", "follows_up_id", "team_id",
            "assignee_id").order_by("pk"):
        if other.pk == ticket.merged_into_id:
            role = "merged_into"
        elif other.merged_into_id == ticket.pk:
            role = "merged_here"
        elif other.pk == ticket.follows_up_id:
            role = "follows_up"
        else:
            role = "follow_up"
        rows.append({"link": None, "other": other, "role": role, "label": ROLE_LABELS[role],
                     "visible": policy.can(user, policy.Action.VIEW, other)})
    open_incidents = [r for r in rows if r["role"] == "incident"
                      and r["visible"] and r["other"].status in Ticket.UNRESOLVED]
    return {"ticket": ticket, "links": {"rows": rows, "open_incidents": open_incidents,
                                        "relations": RELATION_LABELS}, **extra}


ROLE_LABELS = {"related": gettext_lazy("Related"), "problem": gettext_lazy("Problem"),
               "incident": gettext_lazy("Incident"), "merged_into": gettext_lazy("Merged into"),
               "merged_here": gettext_lazy("Merged here"),
               "follows_up": gettext_lazy("Follows up"), "follow_up": gettext_lazy("Follow-up")}
RELATION_LABELS = [("related", gettext_lazy("is related to")),
                   ("incident_of", gettext_lazy("is an incident of")),
                   ("problem_of", gettext_lazy("is the problem of"))]


def ticket_extras(request: HttpRequest, ticket: Ticket) -> dict:
    """What the ticket page's time and links panels show (docs/time-tracking.md)."""
    return {**time_context(ticket, request.user), **links_context(ticket, request.user)}


# -- time ---------------------------------------------------------------------------------

def _time_response(request, ticket, *, error="", posted=None) -> HttpResponse:
    if request.htmx:
        context = time_context(ticket, request.user, time_error=error, posted=posted or {})
        return render(request, "tickets/extras/time.html", context,
                      status=400 if error else 200)
    if error:
        messages.error(request, error)
    return redirect(ticket)


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@require_POST
@staff_required
def log_time(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket_for_agent(request.user, pk)
    try:
        seconds = worklog.parse_duration(request.POST.get("duration", ""))
        worklog.log_time(ticket=ticket, agent=request.user, seconds=seconds,
                         note=request.POST.get("note", ""))
    except ValidationError as exc:
        return _time_response(request, ticket, error=_error_text(exc), posted=request.POST)
    return _time_response(request, ticket)


@require_POST
@staff_required
def timer(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket_for_agent(request.user, pk)
    try:
        if request.POST.get("action") == "stop":
            worklog.stop_timer(ticket=ticket, agent=request.user,
                               note=request.POST.get("note", ""))
        else:
            worklog.start_timer(ticket=ticket, agent=request.user)
    except ValidationError as exc:
        return _time_response(request, ticket, error=_error_text(exc))
    return _time_response(request, ticket)


@require_POST
@staff_required
def delete_time(request: HttpRequest, pk: int) -> HttpResponse:
    entry = TimeEntry.objects.select_related("ticket").filter(pk=pk).first()
    if entry is None:
        raise Http404
    ticket = get_ticket_for_agent(request.user, entry.ticket_id)
    try:
        worklog.delete_entry(entry=entry, actor=request.user)
    except PermissionDenied as exc:
        return _time_response(request, ticket, error=str(exc))
    return _time_response(request, ticket)


# -- links --------------------------------------------------------------------------------

def _links_response(request, ticket, *, error="", done="", posted=None) -> HttpResponse:
    if request.htmx:
        context = links_context(ticket, request.user, links_error=error, links_done=done,
                                posted=posted or {})
        return render(request, "tickets/extras/links.html", context,
                      status=400 if error else 200)
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect(ticket)


@require_POST
@staff_required
def add_link(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket_for_agent(request.user, pk)
    try:
        other = link_services.find_visible_ticket(request.user, request.POST.get("ticket"))
        link_services.link_tickets(ticket=ticket, other=other, actor=request.user,
                                   relation=request.POST.get("relation", "related"))
    except ValidationError as exc:
        return _links_response(request, ticket, error=_error_text(exc), posted=request.POST)
    return _links_response(request, ticket)


@require_POST
@staff_required
def remove_link(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    ticket = get_ticket_for_agent(request.user, pk)
    link = TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket), pk=link_pk).select_related(
        "source", "target").first()
    if link is None:
        raise Http404
    try:
        link_services.unlink_tickets(link=link, actor=request.user)
    except PermissionDenied as exc:
        return _links_response(request, ticket, error=str(exc))
    return _links_response(request, ticket)


@require_POST
@staff_required
def solve_incidents(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_ticket_for_agent(request.user, pk)
    try:
        result = link_services.solve_incidents(problem=problem, actor=request.user,
                                               body=request.POST.get("body", ""))
    except (ValidationError, PermissionDenied) as exc:
        text = _error_text(exc) if isinstance(exc, ValidationError) else str(exc)
        return _links_response(request, problem, error=text, posted=request.POST)
    done = _("%(n)d incidents solved and their customers notified.") % {
        "n": len(result.solved)}
    error = " ".join(_("%(ref)s not solved: %(why)s") % {"ref": t.reference, "why": why}
                     for t, why in result.failed)
    return _links_response(request, problem, done=done, error=error,
                           posted=request.POST if error else None)
