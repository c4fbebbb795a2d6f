"""The team a new ticket starts in when its creator names none (docs/teams.md).

One function, called by ``services.open_ticket`` for every channel, so the email
intake, the portal, the widget, the API, the intake webhook and the phone form
can never disagree about where a ticket lands.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Lower

from .models import ChannelDefault, ReceivingAddress, Team
from .models.routing import ANY_CHANNEL


def default_team(*, channel: str, addresses: Iterable[str] = ()) -> Team | None:
    """The first of: the team of an address the email was sent to (in the order given),
    the channel's default team, the "any other channel" default, the oldest team.

    ``None`` only when the installation has no team at all.
    """
    wanted = [a.strip().lower() for a in addresses if a and a.strip()]
    if wanted:
        rows = {row.address: row.team for row in ReceivingAddress.objects
                .annotate(lower=Lower("address")).filter(lower__in=wanted)
                .select_related("team")}
        for address in wanted:
            if address in rows:
                return rows[address]
    # The channel's own row first, then the blank "any other channel" row: one query.
    row = (ChannelDefault.objects.filter(channel__in=[channel, ANY_CHANNEL])
           .select_related("team")
           .order_by(Case(When(channel=ANY_CHANNEL, then=Value(1)), default=Value(0),
                          output_field=IntegerField()))
           .first())
    if row is not None:
        return row.team
    # No rule at all (someone deleted them): still never a ticket nobody sees.
    return Team.objects.order_by("pk").first()
