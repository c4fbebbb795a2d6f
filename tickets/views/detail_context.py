"""What the ticket page shows, gathered in a fixed number of queries."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.utils.html import conditional_escape
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe

from helpdesk.prepared import Prepared

from .. import directory
from ..mail_html import remote_image_count
from ..models import Attachment, Message, Ticket
from ..placeholders import fill_placeholders
from ..queries import visible_tickets
from .custom_fields import field_rows
from .freshness import Version
from .macros import pop_draft
from .worklog import ticket_extras

logger = logging.getLogger(__name__)

def side_panels(request, ticket, setting: str = "HELPDESK_TICKET_SIDE_PANELS") -> list[str]:
    """Extension panels (settings.HELPDESK_TICKET_SIDE_PANELS; the customer and
    organization pages pass their own setting and object) so that tickets never
    imports the apps built on it. A panel that fails to import or render is
    skipped: the page must always open."""
    panels = []
    for path in getattr(settings, setting, []):
        try:
            panel = import_string(path)
        except ImportError:
            continue
        try:
            html = panel(request, ticket)
        except Exception:
            logger.exception("Side panel %s failed", path)
            continue
        if html:
            panels.append(mark_safe(conditional_escape(html)))  # noqa: S308 - escaped unless already safe
    return panels


def _thread_query(ticket_id: int) -> QuerySet[Message]:
    files = Attachment.objects.filter(message=OuterRef("pk"), inline=False)
    return (Message.objects.filter(ticket_id=ticket_id)
            .select_related("author_user", "author_customer")
            .annotate(has_files=Exists(files)))


# Read on every visit of the ticket page: its SQL built once per process.
_THREAD = Prepared(_thread_query, many=True)


def thread(ticket: Ticket) -> list[Message]:
    """The ticket's messages in order, each saying whether it has files to list
    (``has_files``)."""
    return _THREAD.all(ticket.pk)


def with_files(messages: list[Message]) -> list[Message]:
    """Set ``files``, the attachments listed under each message (not the inline images),
    read in one query, and only when a message has any: most threads have none."""
    listed: dict[int, list[Attachment]] = {m.pk: [] for m in messages if m.has_files}
    if listed:
        for attachment in (Attachment.objects.filter(message_id__in=listed, inline=False)
                           .order_by("pk")):
            listed[attachment.message_id].append(attachment)
    for message in messages:
        message.files = listed.get(message.pk, [])
    return messages


def _tag_names(ticket: Ticket) -> list[str]:
    """Read with the ticket by the page's query (``with_latest_event=True``), else here."""
    if hasattr(ticket, "tag_list"):
        names = ticket.tag_list.split(",") if ticket.tag_list else []
        # In name order from the query where the database orders aggregates, else sorted
        # here (SQLite's text order is the code points', as Python's).
        return names if connection.features.supports_aggregate_order_by_clause else sorted(names)
    return [t.name for t in ticket.tags.all()]


def sidepanel_context(ticket: Ticket, user) -> dict:
    return {
        "ticket": ticket,
        "statuses": [(v, label) for v, label in Ticket.Status.choices
                     if v == ticket.status or ticket.can_transition(v)],
        "priorities": Ticket.Priority.choices,
        # (value, label) pairs for {% options %}: one call per select, not a loop of nodes.
        "team_choices": [(t.pk, t.name) for t in directory.teams_for(user)],
        "agent_choices": [(a.pk, str(a)) for a in directory.agents_for(user, ticket)],
        "ticket_tags": ", ".join(_tag_names(ticket)),
        "custom_fields": field_rows(ticket),  # tickets/extras/fields.html
    }


def context_panels_context(request, ticket: Ticket) -> dict:
    """The ticket page's context column, sent by a second request after the page
    (docs/performance.md, "The ticket page"): time, links, the customer's other
    tickets and the extension panels. The thread and the reply box come first."""
    user = request.user
    others = (visible_tickets(user).filter(customer_id=ticket.customer_id).exclude(pk=ticket.pk)
              .order_by("-created_at")[:10])
    return {
        "ticket": ticket,
        "other_tickets": list(others),
        "panels": side_panels(request, ticket),
        **ticket_extras(request, ticket),  # time and links panels (tk-fields)
    }


def _latest_event_id(ticket: Ticket) -> int:
    """The newest event's id: read with the ticket by the page's query
    (``get_ticket_for_agent(with_latest_event=True)``), else asked for here."""
    if hasattr(ticket, "latest_event_id"):
        return ticket.latest_event_id or 0
    return ticket.events.aggregate(newest=Max("pk"))["newest"] or 0


def detail_context(request, ticket: Ticket) -> dict:
    user = request.user
    canned = [(c, fill_placeholders(c.body, ticket, user)) for c in directory.canned_for(user)]
    messages_thread = with_files(thread(ticket))
    for message in messages_thread:  # remote images stay hidden until "Show images"
        message.remote_images = remote_image_count(message.body_html)
    return {
        "macros": directory.macros_for(user),
        "reply_draft": pop_draft(request, ticket.pk),
        **sidepanel_context(ticket, user),
        "messages_thread": messages_thread,
        # What this page shows, carried by the reply form (tickets/views/freshness.py).
        "page_version": Version.of_page(messages_thread, _latest_event_id(ticket)),
        "canned": canned,
        "Author": Message.Author,
    }
