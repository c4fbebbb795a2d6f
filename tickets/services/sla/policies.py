"""Which SLA policy applies to a ticket, and the calendar it counts in."""

from __future__ import annotations

from ...businesstime import CalendarSnapshot
from ...models import SLAPolicy, Ticket
from .cache import active_policies, cached_policies

__all__ = ["active_policies", "match_policy", "policy_matches", "snapshot_for"]


def policy_matches(policy: SLAPolicy, ticket: Ticket) -> bool:
    """Empty conditions match anything; a tier condition needs an organization."""
    if policy.priorities and ticket.priority not in policy.priorities:
        return False
    if policy.channels and ticket.channel not in policy.channels:
        return False
    if policy.tiers:
        organization = ticket.customer.organization
        if organization is None or organization.tier not in policy.tiers:
            return False
    team_ids = {team.pk for team in policy.teams.all()}
    return not team_ids or ticket.team_id in team_ids


def match_policy(ticket: Ticket, policies: list[SLAPolicy] | None = None) -> SLAPolicy | None:
    """The first active policy, by position, whose conditions all match the ticket.

    Without ``policies`` the per-process copy is used (see ``cache``): no query.
    """
    for policy in cached_policies() if policies is None else policies:
        if policy_matches(policy, ticket):
            return policy
    return None


def snapshot_for(policy: SLAPolicy) -> CalendarSnapshot:
    return CalendarSnapshot.from_model(policy.calendar)
