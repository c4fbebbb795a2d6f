"""One demo ticket at a time: its thread, its audit trail and the ticket row itself.

A ticket's life is planned as a list of steps (reply, note, pending, customer
reply, solve, reopen, close); steps after ``now`` are cut off, so the open
backlog is simply the tickets whose life is still under way.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tickets.models import Message, Ticket

from . import vocabulary as v
from .people import Cast
from .sla import SlaReplayer, timeline_from_rows
from .timeline import lognormal_hours, next_opening

S = Ticket.Status
CUSTOMER, AGENT = str(Message.Author.CUSTOMER), str(Message.Author.AGENT)
CHANNELS = ["email", "web", "chat", "phone", "api", "social"]
CHANNEL_CUM = [40, 62, 77, 87, 95, 100]
PRIORITIES = ["low", "normal", "high", "urgent"]
PRIORITY_CUM = [20, 75, 93, 100]
FIRST_RESPONSE_HOURS = {"chat": 0.05, "phone": 0.02, "social": 1.0, "web": 2.5, "email": 3.0,
                        "api": 4.0}
PRIORITY_FACTOR = {"urgent": 0.25, "high": 0.5, "normal": 1.0, "low": 1.6}
TOPICS = list(v.TOPIC_WEIGHTS)
TOPIC_WEIGHTS = list(v.TOPIC_WEIGHTS.values())
AUTO_CLOSE = timedelta(hours=96)
STALL_WINDOW = timedelta(days=21)
STALL_SHARE = 0.3  # of the last three weeks' tickets: a few open tickets per agent


# Messages and events are plain tuples in these column orders: a million tickets make
# millions of them, and model instances would cost more than the inserts.
MESSAGE_COLUMNS = ("ticket_id", "author_type", "author_user_id", "author_customer_id", "public",
                   "channel", "body_text", "created_at", "body_html", "quoted_text",
                   "is_automatic", "email_message_id", "in_reply_to", "references")
MESSAGE_DEFAULTS = ("", "", False, "", "", "")
EVENT_COLUMNS = ("ticket_id", "field", "old_value", "new_value", "actor_id",
                 "actor_customer_id", "created_at")


def event(ticket_id: int, field_name: str, at: datetime, *, old: str = "", new: str = "",
          actor: int | None = None, customer: int | None = None) -> tuple:
    # str(): a TextChoices member must be stored as its value, whatever the driver does.
    return (ticket_id, field_name, str(old), str(new), actor, customer, at)


@dataclass
class Built:
    """Rows of one batch, ready for bulk insertion."""

    tickets: list[Ticket] = field(default_factory=list)
    messages: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    # The text of each ticket's thread, for the search document (PostgreSQL).
    documents: list[str] = field(default_factory=list)
    tags: list[tuple[int, str]] = field(default_factory=list)
    # (ticket, topic, solve count) of closed tickets: candidates for a survey.
    closed: list[tuple[Ticket, float]] = field(default_factory=list)
    slas: list = field(default_factory=list)  # demo.sla rows


class TicketMaker:
    def __init__(self, *, seed: int, cast: Cast, now: datetime, sla: SlaReplayer | None = None):
        # Content (subject, customer, channel) comes from its own stream with a fixed
        # number of draws per ticket, so the same seed gives the same subjects whatever
        # the clock says; times come from a second stream.
        self.content = random.Random(seed)
        self.times = random.Random(seed + 1)
        self.cast = cast
        self.now = now
        self.customer_count = len(cast.customers)
        self.sla = sla

    def make(self, ticket_id: int, created: datetime, out: Built) -> None:
        c, t = self.content, self.times
        customer_id, language, org_id, tier, first_name = self.cast.customers[
            int(self.customer_count * c.random() ** 2)]  # a few customers write a lot
        topic = c.choices(TOPICS, weights=TOPIC_WEIGHTS)[0]
        team_name, tags, subjects_en, subjects_fi = v.TOPICS[topic]
        subjects = subjects_fi if language == "fi" else subjects_en
        # Both drawn every time: a fixed number of draws per ticket (see __init__).
        item, number = c.choice(v.ITEMS), f"#{c.randrange(10000, 99999)}"
        subject = subjects[int(c.random() * len(subjects))].format(
            x=item[1 if language == "fi" else 0], o=number)
        channel = c.choices(CHANNELS, cum_weights=CHANNEL_CUM)[0]
        priority = c.choices(PRIORITIES, cum_weights=PRIORITY_CUM)[0]
        bodies = v.BODIES_FI if language == "fi" else v.BODIES_EN
        detail = c.choice(v.DETAILS[topic])[1 if language == "fi" else 0]
        sentence = subject if subject[-1] in "?!." else f"{subject}."
        body = c.choice(bodies).format(s=sentence, d=detail, n=first_name, t=tier or "basic")
        tag_names = c.sample(tags, k=int(c.random() * 2.4))
        if tier == "enterprise" and c.random() < 0.6:
            team_name = "Enterprise"
        elif language == "fi" and c.random() < 0.2:
            team_name = "Nordic"
        team_id = self.cast.teams[team_name]
        agents = self.cast.agents_by_team.get(team_id) or [None]
        # Evenly within the team: the busy teams' agents have the most open tickets.
        assignee = agents[int(len(agents) * t.random())]

        ticket = Ticket(pk=ticket_id, subject=subject, status=S.NEW, priority=priority,
                        channel=channel, customer_id=customer_id, team_id=team_id,
                        created_at=created, updated_at=created, waiting_since=created)
        life = _Life(self, ticket, out, language, first_name, assignee, topic)
        first_message, first_event = len(out.messages), len(out.events)
        life.customer(created, body, first=True)
        out.events.append(event(ticket_id, "created", created, new=channel, customer=customer_id))
        if tag_names:
            out.tags.extend((ticket_id, name) for name in tag_names)
            out.events.append(event(ticket_id, "tags", created, new=",".join(sorted(tag_names))))
        steps = self._plan(ticket, created)
        if self.now - created < STALL_WINDOW and t.random() < STALL_SHARE:
            # Part of the recent work stays unfinished: the queue's backlog (new, open,
            # pending or on hold), not just what arrived in the last hours.
            solve = next(i for i, step in enumerate(steps) if step[1] == "solve")
            steps = steps[: t.randint(0, solve)]
        life.run(steps)
        out.tickets.append(ticket)
        if self.sla is not None:
            self._clocks(ticket, tier, out, first_message, first_event)
        out.documents.append(" ".join(m[6] for m in out.messages[first_message:]))
        if ticket.status == S.CLOSED:
            hours = (ticket.solved_at - created).total_seconds() / 3600
            out.closed.append((ticket, hours))

    def _clocks(self, ticket: Ticket, tier: str, out: Built, first_message: int,
                first_event: int) -> None:
        policy = self.sla.policy(priority=ticket.priority, channel=ticket.channel,
                                 tier=tier or None, team_id=ticket.team_id)
        timeline = timeline_from_rows(
            ticket.created_at,
            ((m[1], m[4], m[10], m[7]) for m in out.messages[first_message:]),
            ((e[5], e[3], e[6]) for e in out.events[first_event:] if e[1] == "status"))
        out.slas.append(self.sla.replay(ticket_id=ticket.pk, created_at=ticket.created_at,
                                        policy=policy, timeline=timeline))

    def _plan(self, ticket: Ticket, created: datetime) -> list[tuple[datetime, str]]:
        t = self.times
        factor = PRIORITY_FACTOR[ticket.priority]
        steps = [(created + timedelta(minutes=t.expovariate(1 / 20)), "assign")]
        first = created + lognormal_hours(t, FIRST_RESPONSE_HOURS[ticket.channel] * factor, 1.0)
        opening = next_opening(created) if ticket.channel not in ("chat", "phone") else None
        if opening and first < opening:
            first = opening + timedelta(minutes=t.expovariate(1 / 45))
        steps.append((first, "reply"))
        at = first
        if ticket.channel in ("chat", "phone") and t.random() < 0.55:
            at += timedelta(minutes=t.uniform(1, 15))  # solved on first contact
        else:
            if t.random() < 0.15:
                steps.append((at + timedelta(minutes=t.uniform(5, 90)), "note"))
            rounds = 1 if t.random() < 0.55 else 2 if t.random() < 0.7 else 3
            for _ in range(rounds - 1):
                waiting = "hold" if t.random() < 0.08 else "pending"
                steps.append((at + timedelta(seconds=1), waiting))
                at += lognormal_hours(t, 14 if waiting == "pending" else 60, 1.0)
                steps.append((at, "customer"))
                at += lognormal_hours(t, 2.0 * factor, 1.0)
                steps.append((at, "reply"))
            at += lognormal_hours(t, 6 * factor, 1.2)
        steps.append((at, "solve"))
        if t.random() < 0.06:
            at += timedelta(hours=t.uniform(1, 90))
            steps.append((at, "reopen"))
            at += lognormal_hours(t, 3.0 * factor, 1.0)
            steps.append((at, "reply"))
            at += lognormal_hours(t, 8 * factor, 1.0)
            steps.append((at, "solve"))
        steps.append((at + AUTO_CLOSE + timedelta(minutes=t.uniform(0, 120)), "close"))
        steps.sort(key=lambda step: step[0])
        return steps


class _Life:
    """Applies planned steps to one ticket, writing messages and events as the services do."""

    def __init__(self, maker: TicketMaker, ticket: Ticket, out: Built, language: str,
                 first_name: str, assignee: int | None, topic: str):
        self.maker, self.ticket, self.out = maker, ticket, out
        self.language, self.first_name, self.assignee = language, first_name, assignee
        self.topic = topic
        self.upcoming = ""  # the next planned step, set by run()
        self.rng = maker.times

    def run(self, steps: list[tuple[datetime, str]]) -> None:
        now = self.maker.now
        for index, (at, action) in enumerate(steps):
            if at >= now:
                break
            # A reply followed by "pending" asks the customer something; one before "solve"
            # answers. Thread texts then follow each other as a real conversation does.
            self.upcoming = steps[index + 1][1] if index + 1 < len(steps) else ""
            getattr(self, f"_{action}")(at)
            self.ticket.updated_at = at

    def status(self, at: datetime, new: str, *, actor: int | None = None,
               customer: int | None = None) -> None:
        ticket = self.ticket
        old = ticket.status
        ticket.transition(new, now=at)
        self.out.events.append(event(ticket.pk, "status", at, old=old, new=new, actor=actor,
                                     customer=customer))

    def customer(self, at: datetime, body: str, first: bool = False) -> None:
        ticket = self.ticket
        self.out.messages.append((ticket.pk, CUSTOMER, None, ticket.customer_id, True,
                                  ticket.channel, body, at, *MESSAGE_DEFAULTS))
        if not first:
            ticket.waiting_since = ticket.waiting_since or at

    def _assign(self, at: datetime) -> None:
        if self.assignee is None:
            return
        self.ticket.assignee_id = self.assignee
        lead = self.maker.cast.lead_of_team.get(self.ticket.team_id)
        self.out.events.append(event(self.ticket.pk, "assignee", at, new=str(self.assignee),
                                     actor=lead))

    def _reply(self, at: datetime) -> None:
        ticket = self.ticket
        if ticket.assignee_id is None:
            self._assign(at - timedelta(seconds=1))
        finnish = self.language == "fi"
        if self.upcoming in ("pending", "hold"):  # ask the topic's question first
            ask = v.ASKS[self.topic][1 if finnish else 0]
            replies = [(v.ASK_FI if finnish else v.ASK_EN).replace("{ask}", ask)]
        else:
            replies = v.REPLIES_FI if finnish else v.REPLIES_EN
        # The topic's resolution, in the customer's language: replies answer the question asked.
        fix = self.rng.choice(v.FIXES[self.topic])[1 if finnish else 0]
        agent_name = self.maker.cast.agent_names.get(ticket.assignee_id, "Support")
        body = self.rng.choice(replies).format(c=self.first_name, fix=fix, a=agent_name,
                                               fix_cap=fix[0].upper() + fix[1:])
        self.out.messages.append((ticket.pk, AGENT, ticket.assignee_id, None, True,
                                  ticket.channel, body, at, *MESSAGE_DEFAULTS))
        ticket.first_response_at = ticket.first_response_at or at
        ticket.public_reply_count += 1
        ticket.waiting_since = None
        if ticket.status in (S.NEW, S.PENDING, S.ON_HOLD):
            self.status(at, S.OPEN, actor=ticket.assignee_id)

    def _note(self, at: datetime) -> None:
        self.out.messages.append((self.ticket.pk, AGENT, self.ticket.assignee_id, None, False,
                                  "web", self.rng.choice(v.NOTES), at, *MESSAGE_DEFAULTS))

    def _pending(self, at: datetime) -> None:
        self.status(at, S.PENDING, actor=self.ticket.assignee_id)

    def _hold(self, at: datetime) -> None:
        self.status(at, S.ON_HOLD, actor=self.ticket.assignee_id)

    def _customer(self, at: datetime) -> None:
        # The answer to the topic's question the agent asked before "pending".
        self.customer(at, v.ASKS[self.topic][3 if self.language == "fi" else 2])
        if self.ticket.status in (S.PENDING, S.ON_HOLD):
            self.status(at, S.OPEN, customer=self.ticket.customer_id)

    def _solve(self, at: datetime) -> None:
        self.status(at, S.SOLVED, actor=self.ticket.assignee_id)

    def _reopen(self, at: datetime) -> None:
        texts = v.REOPENS_FI if self.language == "fi" else v.REOPENS_EN
        self.customer(at, self.rng.choice(texts))
        self.status(at, S.OPEN, customer=self.ticket.customer_id)

    def _close(self, at: datetime) -> None:
        self.status(at, S.CLOSED)
