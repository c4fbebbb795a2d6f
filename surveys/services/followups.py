"""Closing the loop on detractors."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.models import User
from tickets.models import TeamMembership

from .. import emails
from ..models import FollowUp, Response, SurveyProgram


def managers() -> list[User]:
    """Every active manager (admins when there is none): the owners of last resort."""
    people = list(User.objects.filter(is_active=True, role=User.Role.MANAGER).order_by("pk"))
    return people or list(User.objects.filter(is_active=True, role=User.Role.ADMIN)
                          .order_by("pk"))


def follow_up_owner(*, team_id: int | None, program: SurveyProgram | None) -> tuple[User | None, list[User]]:
    """(owner, who gets the alert): the team's lead; else the program's fallback; else
    a manager, with every manager alerted, so a detractor is never left unassigned
    and unannounced. (None, []) only when the helpdesk has no manager or admin."""
    if team_id is not None:
        lead = (TeamMembership.objects.filter(team_id=team_id, is_lead=True, user__is_active=True)
                .select_related("user").order_by("pk").first())
        if lead is not None:
            return lead.user, [lead.user]
    fallback = program.followup_fallback if program else None
    if fallback is not None and fallback.is_active:
        return fallback, [fallback]
    everyone = managers()
    # The manager with the fewest open follow-ups owns it; they all hear of it.
    load = open_counts(everyone)
    owner = min(everyone, key=lambda m: (load.get(m.pk, 0), m.pk), default=None)
    return owner, everyone


def open_counts(people: list[User]) -> dict[int, int]:
    """Open follow-ups per person, in one query."""
    return dict(FollowUp.objects.filter(status=FollowUp.Status.OPEN, assignee__in=people)
                .order_by().values("assignee").annotate(n=Count("pk"))
                .values_list("assignee", "n"))


@transaction.atomic
def create_follow_up(*, response: Response, program: SurveyProgram | None,
                     now: datetime | None = None) -> FollowUp:
    """The response's follow-up, created (and its owner alerted) unless it exists.

    Two requests answering the same link at once can both find no follow-up; the unique
    response decides: get_or_create inserts in a savepoint, and the loser, whose INSERT
    waited for the winner's commit, reads the winner's row instead of raising. Only the
    creator sends the alert."""
    now = now or timezone.now()
    hours = program.followup_due_hours if program else 48
    owner, alerted = follow_up_owner(team_id=response.team_id, program=program)
    follow_up, created = FollowUp.objects.get_or_create(response=response, defaults={
        "ticket_id": response.ticket_id, "team_id": response.team_id,
        "assignee": owner, "due_at": now + timedelta(hours=hours), "created_at": now,
    })
    response.follow_up = follow_up
    if created:
        for person in alerted:
            emails.send_follow_up_alert(follow_up=follow_up, response=response, to=person)
        if not alerted:  # no staff to name at all: the team's address, if it has one
            emails.send_follow_up_alert(follow_up=follow_up, response=response, to=None)
    return follow_up


@transaction.atomic
def close_follow_up(*, follow_up: FollowUp, user: User, outcome: str, note: str = "",
                    now: datetime | None = None) -> FollowUp:
    if outcome not in FollowUp.Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")}, code="invalid")
    if follow_up.status == FollowUp.Status.CLOSED:
        raise ValidationError({"status": _("This follow-up is already closed.")}, code="closed")
    follow_up.status = FollowUp.Status.CLOSED
    follow_up.outcome = outcome
    follow_up.note = (note or "").strip()
    follow_up.closed_at = now or timezone.now()
    follow_up.closed_by = user
    follow_up.save(update_fields=["status", "outcome", "note", "closed_at", "closed_by"])
    return follow_up
