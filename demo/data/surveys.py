"""Survey invitations, responses and follow-ups for a batch of closed demo tickets.

Scores follow the experience: slow resolutions, reopens and weaker agents
score lower, so the dashboards show differences worth acting on.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from surveys.models import DETRACTOR_MAX, SCALES, FollowUp, Invitation, Metric, Response

from . import vocabulary as v
from .people import Cast

CENTRE = {Metric.NPS: (8.3, 2.0), Metric.CSAT: (4.1, 1.0), Metric.CES: (5.3, 1.4)}
# The share of follow-ups left open past their due (until two weeks old).
FORGOTTEN = 0.05
OUTCOMES = [FollowUp.Outcome.CALLED_BACK, FollowUp.Outcome.RESOLVED, FollowUp.Outcome.NO_ANSWER,
            FollowUp.Outcome.DECLINED]


@dataclass
class SurveyRows:
    invitations: list[Invitation] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)


class SurveyMaker:
    def __init__(self, *, seed: int, cast: Cast, now: datetime, next_ids: tuple[int, int]):
        self.rng = random.Random(seed + 2)
        self.cast = cast
        self.now = now
        self.next_invitation, self.next_response = next_ids
        self.customers = {row[0]: row for row in cast.customers}

    def make(self, closed: list, out: SurveyRows) -> None:
        rng = self.rng
        for ticket, hours in closed:
            customer = self.customers[ticket.customer_id]
            if rng.random() >= 0.5:  # half the closed tickets match a program and pass the throttle
                continue
            metric, program = self._program(ticket.channel, customer[3])
            sent = ticket.closed_at + timedelta(hours=1)
            if sent >= self.now:
                continue
            answered_at = sent + timedelta(hours=rng.expovariate(1 / 6))
            answered = rng.random() < 0.5 and answered_at < self.now
            invitation = Invitation(
                pk=self.next_invitation, program_id=self.cast.programs.get(program),
                ticket_id=ticket.pk, customer_id=ticket.customer_id, metric=metric,
                status=Invitation.Status.ANSWERED if answered else Invitation.Status.SENT,
                send_after=sent, sent_at=sent, expires_at=sent + timedelta(days=14),
                language=customer[1], created_at=ticket.closed_at)
            self.next_invitation += 1
            out.invitations.append(invitation)
            if answered:
                self._respond(invitation, ticket, hours, answered_at, out)

    @staticmethod
    def _program(channel: str, tier: str) -> tuple[str, str]:
        """(metric, program name): the first of people.build_programs that matches."""
        if tier == "enterprise":
            return Metric.CES, "Enterprise effort score"
        if channel in ("email", "web"):
            return Metric.NPS, "Email and web NPS"
        if channel in ("chat", "phone"):
            return Metric.CSAT, "Chat and phone CSAT"
        return Metric.CSAT, "Customer satisfaction (all tickets)"

    def _respond(self, invitation: Invitation, ticket, hours: float, at: datetime,
                 out: SurveyRows) -> None:
        rng = self.rng
        metric = invitation.metric
        low, high = SCALES[metric]
        quality = (0.35 * self.cast.agent_skill.get(ticket.assignee_id, 0.0)
                   - 0.6 * ticket.reopen_count - 0.3 * math.log10(hours + 1) + rng.gauss(0, 1))
        centre, width = CENTRE[metric]
        score = max(low, min(high, round(centre + width * quality)))
        detractor = score <= DETRACTOR_MAX[metric]
        comment = ""
        if rng.random() < 0.3:
            comment = rng.choice(v.COMMENTS_BAD if detractor else v.COMMENTS_GOOD)
        _, _, org_id, tier, _ = self.customers[ticket.customer_id]
        response = Response(
            pk=self.next_response, invitation_id=invitation.pk, metric=metric, scale_min=low,
            scale_max=high, score=score, comment=comment, ticket_id=ticket.pk,
            customer_id=ticket.customer_id, channel=ticket.channel, agent_id=ticket.assignee_id,
            team_id=ticket.team_id, organization_id=org_id, organization_tier=tier,
            created_at=at, updated_at=at)
        self.next_response += 1
        out.responses.append(response)
        if detractor and rng.random() < 0.8:
            out.follow_ups.append(self._follow_up(response, ticket, at))

    def _follow_up(self, response: Response, ticket, at: datetime) -> FollowUp:
        rng = self.rng
        follow_up = FollowUp(response_id=response.pk, ticket_id=ticket.pk,
                             assignee_id=self.cast.lead_of_team.get(ticket.team_id),
                             team_id=ticket.team_id, due_at=at + timedelta(hours=48),
                             created_at=at)
        # Managers close the loop, mostly within the due time: a follow-up is closed a day
        # or so after the answer (mean 30 hours), so the open ones are mostly the newest,
        # not yet due; a few are forgotten past their due (but none older than two weeks).
        closed_at = at + timedelta(hours=rng.expovariate(1 / 30))
        stale = at < self.now - timedelta(days=14)
        forgotten = rng.random() < FORGOTTEN
        if closed_at < self.now and (stale or not forgotten):
            follow_up.status = FollowUp.Status.CLOSED
            follow_up.outcome = rng.choice(OUTCOMES)
            follow_up.closed_at = closed_at
            follow_up.closed_by_id = follow_up.assignee_id
            follow_up.note = "Called the customer and apologised."
        return follow_up
