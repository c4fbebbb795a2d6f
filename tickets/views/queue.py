"""The ticket list: queues, filters, search, sorting, pagination, saved filters."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.permissions import staff_required
from helpdesk.planning import without_parallel_workers

from .. import directory
from ..custom_field_query import bounded_paginator
from ..models import Channel, Ticket
from ..queries import visible_tickets
from ..services import canned as canned_services
from . import queues, saved
from .custom_fields import queue_field_context

PAGE_SIZE = 25


def _base_params(request: HttpRequest) -> dict[str, str]:
    """The list's query string without the page, for sort links and saving."""
    return {k: v for k, v in request.GET.items() if k != "page" and v}


@staff_required
def queue(request: HttpRequest, search_page: bool = False) -> HttpResponse:
    user = request.user
    now = queues.now()
    params = request.GET
    text = params.get("q", "").strip()
    visible = visible_tickets(user)
    conditions = queues.queue_conditions(user, now)
    tickets, view, filtered = saved.listed_tickets(params, user=user, visible=visible,
                                                   conditions=conditions,
                                                   search_page=search_page)
    if search_page and not filtered:
        tickets = tickets.none()  # an empty search box lists nothing, not every ticket ever
    tickets, sort = queues.apply_sort(tickets, params.get("sort", ""))
    tickets = tickets.select_related("customer", "assignee", "team", "sla")
    if not filtered and view in conditions:
        # A queue is counted exactly, and only this one: the sidebar's counts come in a
        # request of their own once the page has shown (queue_counts below).
        paginator = Paginator(tickets, PAGE_SIZE)
    else:
        # Every ticket, a filter, a search: counted up to a bound ("more than 1000"), so
        # the count reads at most that many index entries however many tickets match
        # (docs/performance.md, docs/custom-fields.md).
        paginator = bounded_paginator(tickets, PAGE_SIZE, params.get("page"))
    page = paginator.get_page(params.get("page"))
    base = _base_params(request)
    context = {
        "view": view,
        "view_label": queues.QUEUE_LABELS[view],
        "queues": [(key, queues.QUEUE_LABELS[key]) for key in conditions],
        "page": page,
        "sort": sort,
        "q": text,
        "params": base,
        "query_string": urlencode(base),
        "filters": {f: params.get(f, "") for f in queues.FILTER_FIELDS},
        "saved_filters": saved.saved_filters(user),
        "team_choices": [(t.pk, t.name) for t in directory.teams_for(user)],
        "agent_choices": [(a.pk, str(a)) for a in directory.agents_for(user)],
        "macro_choices": [(m.pk, m.name) for m in directory.macros_for(user)],
        "statuses": queues.status_choices(params),
        # A list opened from a dashboard's number: its filters, kept and said in words.
        "figure_params": queues.figure_params(params),
        "figure_filters": queues.describe_figure_filters(params),
        "priorities": Ticket.Priority.choices,
        "channels": Channel.choices,
        "search_page": search_page,
        **queue_field_context(params),  # custom fields: filter selects, bulk actions
    }
    if request.htmx and not request.htmx.boosted:
        # The list, and out of band the save form's query: saving after a dropdown
        # change saves the list as it is now, not as the page was first rendered.
        return HttpResponse(render_to_string("tickets/queue.html#ticket_list", context, request)
                            + render_to_string("tickets/_save_filter_query.html",
                                               {**context, "oob": True}, request))
    return render(request, "tickets/queue.html", context)


@staff_required
def queue_counts(request: HttpRequest) -> HttpResponse:
    """The sidebar's counts: every queue's and every saved filter's, as out-of-band
    swaps into the queue page, which asks for them once it has shown and every minute
    after. Counting is most of a queue page's SQL on a large helpdesk; the list does
    not wait for it (docs/performance.md, "The queue's sidebar counts")."""
    user = request.user
    visible = visible_tickets(user)
    conditions = queues.queue_conditions(user, queues.now())
    # Two parallel workers made these counts slower at a million tickets, not faster
    # (docs/performance.md, "The queue's sidebar counts").
    with without_parallel_workers():
        context = {
            "counts": queues.queue_counts(visible, conditions),
            "saved_filters": saved.saved_filters_with_counts(user=user, visible=visible,
                                                             conditions=conditions),
        }
    return render(request, "tickets/_queue_counts.html", context)


@staff_required
def search_view(request: HttpRequest) -> HttpResponse:
    """The search page; an exact reference ("HD-1897") opens that ticket when this
    agent may see it (otherwise the search answers like any other: nothing found)."""
    reference = Ticket.parse_reference(request.GET.get("q", ""))
    if reference is not None and not request.htmx:
        ticket = visible_tickets(request.user).filter(pk=reference).only("pk").first()
        if ticket is not None:
            return redirect(ticket)
    return queue(request, search_page=True)


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return fallback


@require_POST
@staff_required
def save_filter(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "").strip()
    query = request.POST.get("query", "")
    if name:
        canned_services.save_filter(user=request.user, name=name, query=query)
        messages.success(request, _("Filter “%(name)s” saved.") % {"name": name})
    else:
        messages.error(request, _("Give the filter a name to save it."))
    return redirect(f"{safe_next(request, '/')}")


@require_POST
@staff_required
def delete_filter(request: HttpRequest, pk: int) -> HttpResponse:
    if canned_services.delete_filter(user=request.user, pk=pk):
        messages.success(request, _("Filter deleted."))
    return redirect("tickets:queue")
