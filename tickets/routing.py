"""The team a new ticket starts in when its creator names none (docs/teams.md).

One function, called by ``services.open_ticket`` for every channel, so the email
intake, the portal, the widget, the API, the intake webhook and the phone form
can never disagree about where a ticket lands.

The two tables it reads change rarely (an admin edits them) while every new ticket
asks, so each process keeps a copy of both until their shared version moves
(helpdesk/versioned.py): saving or deleting a receiving address, a channel default or
a team moves it, so the process that saved sees the change at once and every other
web and worker process within ``RECHECK_SECONDS``. A round-robin turn (a team saving
only its ``last_assigned``) is not a routing change. Changed settings (tests) drop
this process's copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.signals import setting_changed
from django.db.models.signals import post_delete, post_save

from helpdesk import versioned

from .models import ChannelDefault, ReceivingAddress, Team
from .models.routing import ANY_CHANNEL

RECHECK_SECONDS = 1.0


@dataclass(frozen=True)
class _Routes:
    addresses: dict[str, Team]  # the stored address (saved lower-case) → its team
    channels: dict[str, Team]  # channel ("" for any other) → its team
    oldest: Team | None


def _read() -> _Routes:
    """Both tables and the oldest team: three small queries per version."""
    return _Routes(
        addresses={row.address.strip().lower(): row.team
                   for row in ReceivingAddress.objects.select_related("team")},
        channels={row.channel: row.team for row in ChannelDefault.objects.select_related("team")},
        oldest=Team.objects.order_by("pk").first(),
    )


_routes = versioned.Copy("tickets:routing", _read, recheck_after=RECHECK_SECONDS)


def _copy(team: Team | None) -> Team | None:
    """A fresh instance per ticket: the cached one is never handed out to be changed."""
    if team is None:
        return None
    fields = [f.attname for f in Team._meta.concrete_fields]
    return Team.from_db(team._state.db, fields, [getattr(team, name) for name in fields])


def default_team(*, channel: str, addresses: Iterable[str] = ()) -> Team | None:
    """The first of: the team of an address the email was sent to (in the order given),
    the channel's default team, the "any other channel" default, the oldest team.

    ``None`` only when the installation has no team at all.
    """
    routes = _routes.get()
    for address in (a.strip().lower() for a in addresses if a and a.strip()):
        if address in routes.addresses:
            return _copy(routes.addresses[address])
    # The channel's own row first, then the blank "any other channel" row.
    for key in (channel, ANY_CHANNEL):
        if key in routes.channels:
            return _copy(routes.channels[key])
    # No rule at all (someone deleted them): still never a ticket nobody sees.
    return _copy(routes.oldest)


def forget_routes(*args: object, update_fields: Iterable[str] | None = None,
                  **kwargs: object) -> None:
    """The routing changed (a signal receiver; tests may call it): every process reads it
    again. A team saving only its round-robin turn changes no route."""
    if update_fields is not None and set(update_fields) <= {"last_assigned"}:
        return
    _routes.forget()


for _model in (ReceivingAddress, ChannelDefault, Team):
    post_save.connect(forget_routes, sender=_model, dispatch_uid=f"routing-save-{_model.__name__}")
    post_delete.connect(forget_routes, sender=_model,
                        dispatch_uid=f"routing-delete-{_model.__name__}")
setting_changed.connect(_routes.drop, dispatch_uid="routing-settings")
