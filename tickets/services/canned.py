"""Agents' own tools: canned responses and saved queue filters."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from helpdesk.models import User

from ..models import CannedResponse, SavedFilter, Team


@transaction.atomic
def save_canned_response(
    *, title: str, body: str, team: Team | None, actor: User, canned: CannedResponse | None = None
) -> CannedResponse:
    """Create (``canned`` None) or update a canned response; ``team`` None shares it."""
    now = timezone.now()
    if canned is None:
        return CannedResponse.objects.create(
            title=title.strip(), body=body, team=team, created_by=actor,
            created_at=now, updated_at=now,
        )
    canned.title, canned.body, canned.team, canned.updated_at = title.strip(), body, team, now
    canned.save(update_fields=["title", "body", "team", "updated_at"])
    return canned


def delete_canned_response(*, canned: CannedResponse) -> None:
    canned.delete()


def save_filter(*, user: User, name: str, query: str) -> SavedFilter:
    """Save the list's current query string under a name (same name replaces it)."""
    position = SavedFilter.objects.filter(user=user).count()
    saved, created = SavedFilter.objects.update_or_create(
        user=user, name=name.strip()[:80], defaults={"query": query[:1000]},
        create_defaults={"query": query[:1000], "position": position},
    )
    return saved


def delete_filter(*, user: User, pk: int) -> int:
    deleted, _ = SavedFilter.objects.filter(user=user, pk=pk).delete()
    return deleted
