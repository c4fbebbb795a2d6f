"""The queue sidebar's counts as the queue page receives them: its own htmx request
(tickets:queue_counts), whose spans are swapped by id into the page."""

from __future__ import annotations

from django.urls import reverse


def sidebar(client):
    response = client.get(reverse("tickets:queue_counts"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response


def queue_counts(client) -> dict[str, int]:
    """Queue key → count, checked against the span the page receives for it."""
    response = sidebar(client)
    counts = response.context["counts"]
    for key in counts:
        assert f'id="queue-count-{key}" hx-swap-oob="true"' in response.text
    return counts


def saved_counts(client) -> dict[str, int | None]:
    """Saved filter name → count (None past the bound)."""
    return {item.name: item.count for item in sidebar(client).context["saved_filters"]}
