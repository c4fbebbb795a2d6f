"""The benchmark's registry: a case is a name, the persona it runs as, and a function
that prepares one request from the context (or returns None to skip the case)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.test import Client
from django.urls import NoReverseMatch, Resolver404, resolve, reverse


@dataclass
class Context:
    """What the cases draw on: logged-in clients and a few ids that exist."""

    clients: dict[str, Client]
    ticket_id: int
    invitation_id: int | None = None
    # The agent's recent ticket with the longest history (the newest has a short one).
    busy_ticket_id: int | None = None
    counter: list[int] = field(default_factory=lambda: [0])

    def next_number(self) -> int:
        self.counter[0] += 1
        return self.counter[0]


# An action performs one request and returns its HTTP status (or 200 for a function call).
Action = Callable[[], int]


@dataclass(frozen=True)
class Case:
    name: str
    persona: str
    prepare: Callable[[Context], Action | None]


CASES: list[Case] = []


def case(name: str, persona: str, prepare: Callable[[Context], Action | None]) -> None:
    CASES.append(Case(name, persona, prepare))


def url(name_or_path: str, *args) -> str | None:
    """The path of a URL name (or a literal path) if this build serves it, else None."""
    try:
        path = name_or_path if name_or_path.startswith("/") else reverse(name_or_path, args=args)
        resolve(path.split("?")[0])  # a literal path must be served
    except (NoReverseMatch, Resolver404):
        return None
    return path


def get(ctx: Context, persona: str, path: str | None, *, htmx: bool = False) -> Action | None:
    """One GET of ``path``; ``htmx``: as htmx makes it from a page (the fragment alone)."""
    if path is None:
        return None
    client = ctx.clients[persona]
    headers = {"HX-Request": "true"} if htmx else {}
    return lambda: client.get(path, headers=headers).status_code
