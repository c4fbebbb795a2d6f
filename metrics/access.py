"""Who may see which figures.

Managers and admins see everything. An agent sees their own figures and their
teams' totals, never another agent's: a request without an agent or team filter
is scoped to the agent; a team-wide breakdown by agent is refused.
"""

from __future__ import annotations

import dataclasses

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tickets.queries import team_ids_of

from .filters import MetricFilters


class ScopeDenied(PermissionDenied):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def scope_for(user, f: MetricFilters, *, by: str | None = None) -> MetricFilters:
    if user.sees_all_figures:
        return f
    if f.agent_id is not None and f.agent_id != user.pk:
        raise ScopeDenied("agent", _("Agents may only see their own figures."))
    if f.team_id is not None and f.team_id not in team_ids_of(user):
        raise ScopeDenied("team", _("Agents may only see the figures of their own teams."))
    if f.agent_id is None and f.team_id is None:
        return dataclasses.replace(f, agent_id=user.pk)
    if by == "agent" and f.agent_id is None:
        raise ScopeDenied("by", _("Only managers may compare the agents of a team."))
    return f
