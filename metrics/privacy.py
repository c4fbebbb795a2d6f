"""The metrics' part of a customer's data export (tickets/privacy.py, docs/privacy.md): the
comment theme each of their survey answers was placed in. Erasure keeps the placement: it
is a count on the themes page, and says nothing about the person once the comment is gone."""

from __future__ import annotations

from datetime import datetime

from tickets.models import Customer
from tickets.privacy import Section, register

from .insight_models import ResponseTheme


def export_themes(customer: Customer) -> list[dict]:
    return list(ResponseTheme.objects.filter(response__customer=customer)
                .order_by("response_id")
                .values("response_id", "theme__label", "theme__language"))


def erase_themes(customer: Customer, now: datetime) -> int:
    return 0  # an anonymous fact once the comment is erased (surveys/privacy.py)


register(Section("comment_themes", export_themes, erase_themes,
                 covers=("metrics.ResponseTheme",)))
