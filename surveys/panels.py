"""The ticket page's side panel (settings.HELPDESK_TICKET_SIDE_PANELS)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .models import is_detractor, is_promoter
from .queries import customer_responses


def customer_scores(request, ticket) -> SafeString:
    """The customer's latest survey scores and comments that this user may see
    (as in the responses API), newest first: one query."""
    responses = customer_responses(ticket.customer_id, user=request.user)
    for response in responses:
        response.tone = ("detractor" if is_detractor(response.metric, response.score)
                         else "promoter" if is_promoter(response.metric, response.score)
                         else "passive")
    return render_to_string("surveys/panel.html", {"responses": responses, "ticket": ticket},
                            request=request)
