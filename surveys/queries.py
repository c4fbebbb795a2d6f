"""Reads shared by the views, the API, the panel and the export."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tickets.queries import team_ids_of

from .models import FollowUp, Response


def visible_responses(user) -> QuerySet[Response]:
    """Managers and admins see every response; agents their teams' and their own."""
    responses = Response.objects.all()
    if user.sees_all_tickets:
        return responses
    return responses.filter(Q(team_id__in=team_ids_of(user)) | Q(agent=user))


def visible_follow_ups(user) -> QuerySet[FollowUp]:
    follow_ups = FollowUp.objects.all()
    if user.sees_all_tickets:
        return follow_ups
    return follow_ups.filter(Q(team_id__in=team_ids_of(user)) | Q(assignee=user))


def customer_responses(customer_id: int, *, user, limit: int = 10) -> list[Response]:
    """The customer's latest answers for the ticket side panel (response_customer_idx),
    limited by the responses API's rule (``visible_responses``): an agent never reads
    another team's scores and comments beside one of their own tickets."""
    return list(visible_responses(user).filter(customer_id=customer_id)
                .select_related("ticket").order_by("-created_at")[:limit])
