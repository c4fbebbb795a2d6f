"""The customer page's survey panel (settings.HELPDESK_CUSTOMER_PANELS): the customer's
answers of both kinds and their follow-ups, limited as in the responses API."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .models import is_detractor, is_promoter
from .queries import visible_follow_ups, visible_responses

LIMIT = 20


def customer_surveys(request, customer) -> SafeString:
    """Two queries: answers (with their ticket) and follow-ups (with their owner)."""
    responses = list(visible_responses(request.user).filter(customer_id=customer.pk)
                     .select_related("ticket").order_by("-created_at")[:LIMIT])
    for response in responses:
        response.tone = ("detractor" if is_detractor(response.metric, response.score)
                         else "promoter" if is_promoter(response.metric, response.score)
                         else "passive")
    follow_ups = list(visible_follow_ups(request.user).filter(response__customer_id=customer.pk)
                      .select_related("assignee", "ticket").order_by("-created_at")[:LIMIT])
    return render_to_string("surveys/customer_panel.html",
                            {"responses": responses, "follow_ups": follow_ups},
                            request=request)
