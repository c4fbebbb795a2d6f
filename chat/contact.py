"""In-chat rating asks as a source of the one contact budget (surveys/services/budget.py,
named in ``HELPDESK_CONTACT_SOURCES``): a person asked in the widget is not asked again by
email, or by a relationship wave, inside the contact window."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max

from .models import Chat


def rating_asks(customer_ids, since: datetime) -> dict[int, datetime]:
    """{customer id: latest in-chat rating ask at or after ``since``}."""
    rows = (Chat.objects.filter(ticket__customer_id__in=customer_ids,
                                rating_requested_at__gte=since)
            .values("ticket__customer_id").annotate(at=Max("rating_requested_at")))
    return {row["ticket__customer_id"]: row["at"] for row in rows}
