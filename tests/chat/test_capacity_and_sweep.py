"""Per-agent chat capacity with automatic assignment by the team's mode, the chat sweep
(abandoned waiting chats become missed, idle chats end), and what one chat message costs."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat import services
from chat.models import AgentChatSettings, Chat
from chat.tasks import sweep_chats
from helpdesk.celery import app as celery_app
from metrics.filters import MetricFilters
from metrics.queries.chat import chat_figures
from tickets.models import Message, Team, Ticket

from ..conftest import api_client_for as api_client
from ..factories import UserFactory
from .conftest import start

pytestmark = pytest.mark.django_db


def _mode(team, mode):
    Team.objects.filter(pk=team.pk).update(assignment=mode)


# -- capacity and automatic assignment ---------------------------------------------------

def test_each_agent_has_own_chat_capacity_in_round_robin(
        chat_team, agent, django_capture_on_commit_callbacks):
    _mode(chat_team, Team.Assignment.ROUND_ROBIN)
    second = UserFactory(email="beata@helpdesk.test", name="Beata", teams=[chat_team])
    AgentChatSettings.objects.create(agent=agent, capacity=1)  # the default is 3
    with django_capture_on_commit_callbacks(execute=True):
        chats = [start(email=f"v{i}@example.com").chat for i in range(5)]
    agents = [Chat.objects.get(pk=c.pk).agent_id for c in chats]
    assert agents.count(agent.pk) == 1  # full after one
    assert agents.count(second.pk) == 3  # the default capacity
    assert Chat.objects.get(pk=chats[-1].pk).status == Chat.Status.WAITING


def test_least_busy_counts_active_chats(chat_team, agent, django_capture_on_commit_callbacks):
    _mode(chat_team, Team.Assignment.LEAST_BUSY)
    second = UserFactory(email="beata@helpdesk.test", name="Beata", teams=[chat_team])
    with django_capture_on_commit_callbacks(execute=True):
        first = start(email="a@example.com").chat
        services.transfer_chat(chat=first, actor=agent, agent=agent)
        nxt = start(email="b@example.com").chat
    busy = Chat.objects.get(pk=first.pk).agent_id
    assert Chat.objects.get(pk=nxt.pk).agent_id == ({agent.pk, second.pk} - {busy}).pop()


def test_manual_team_waits_and_agent_accepts_within_own_capacity(chat_team, agent):
    AgentChatSettings.objects.create(agent=agent, capacity=1)
    one, two = start(email="a@example.com").chat, start(email="b@example.com").chat
    assert Chat.objects.get(pk=one.pk).status == Chat.Status.WAITING  # manual: nobody routed
    services.accept_chat(chat=one, agent=agent)
    with pytest.raises(services.ValidationError) as refused:
        services.accept_chat(chat=two, agent=agent)
    assert refused.value.error_dict["chat"][0].code == "capacity"


def test_ending_a_chat_hands_the_next_waiting_one_to_the_agent(
        chat_team, agent, django_capture_on_commit_callbacks):
    _mode(chat_team, Team.Assignment.ROUND_ROBIN)
    AgentChatSettings.objects.create(agent=agent, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = start(email="a@example.com").chat
        waiting = start(email="b@example.com").chat
    assert Chat.objects.get(pk=waiting.pk).status == Chat.Status.WAITING
    with django_capture_on_commit_callbacks(execute=True):
        services.end_chat(chat=first, actor=agent)
    waiting = Chat.objects.get(pk=waiting.pk)
    assert waiting.status == Chat.Status.ACTIVE and waiting.agent_id == agent.pk


def test_manager_sets_chat_capacity_over_the_api(chat_team, agent, manager,
                                                 django_capture_on_commit_callbacks):
    _mode(chat_team, Team.Assignment.ROUND_ROBIN)
    AgentChatSettings.objects.create(agent=agent, capacity=0)
    with django_capture_on_commit_callbacks(execute=True):
        waiting = start().chat
    assert Chat.objects.get(pk=waiting.pk).status == Chat.Status.WAITING
    api = api_client(manager)
    listed = api.get("/api/v1/chats/capacity/")
    assert listed.status_code == 200
    assert {"agent": agent.pk, "name": str(agent), "capacity": 0,
            "active_chats": 0} in listed.json()
    with django_capture_on_commit_callbacks(execute=True):
        changed = api.put(f"/api/v1/chats/capacity/{agent.pk}/", {"capacity": 2}, format="json")
    assert changed.status_code == 200 and changed.json()["capacity"] == 2
    # More room: the waiting chat went to the agent.
    assert Chat.objects.get(pk=waiting.pk).agent_id == agent.pk
    bad = api.put(f"/api/v1/chats/capacity/{agent.pk}/", {"capacity": -1}, format="json")
    assert bad.status_code == 400 and "capacity" in bad.json()
    missing = api.put("/api/v1/chats/capacity/999999/", {"capacity": 1}, format="json")
    assert missing.status_code == 404


def test_agents_may_not_change_chat_capacity(chat_team, agent):
    response = api_client(agent).put(f"/api/v1/chats/capacity/{agent.pk}/", {"capacity": 9},
                                     format="json")
    assert response.status_code == 403
    assert not AgentChatSettings.objects.filter(agent=agent).exists()


# -- the sweep --------------------------------------------------------------------------

def test_sweep_makes_abandoned_waiting_chats_missed_and_counts_them(
        chat_team, agent, settings, django_capture_on_commit_callbacks):
    settings.HELPDESK_CHAT_LEFT_AFTER = 120
    now = timezone.now()
    gone = start(email="gone@example.com").chat
    just_left = start(email="brb@example.com").chat
    present = start(email="here@example.com").chat
    Chat.objects.filter(pk=gone.pk).update(visitor_left_at=now - timedelta(minutes=5))
    Chat.objects.filter(pk=just_left.pk).update(visitor_left_at=now - timedelta(seconds=30))
    with django_capture_on_commit_callbacks(execute=True):
        result = sweep_chats.apply().get()
    assert result["missed"] == 1
    statuses = dict(Chat.objects.values_list("pk", "status"))
    assert statuses[gone.pk] == Chat.Status.MISSED
    assert statuses[just_left.pk] == statuses[present.pk] == Chat.Status.WAITING
    # Its ticket stays open for an email answer, and the dashboard counts the missed chat.
    assert Ticket.objects.get(pk=gone.ticket_id).status == Ticket.Status.NEW
    figures = chat_figures(MetricFilters(start=now - timedelta(days=1),
                                         end=now + timedelta(minutes=1)))
    assert figures["total"] == 3 and figures["missed"] == 1


def test_sweep_ends_idle_chats_by_solving_the_ticket(
        chat_team, agent, settings, django_capture_on_commit_callbacks):
    settings.HELPDESK_CHAT_IDLE_MINUTES = 30
    long_ago = timezone.now() - timedelta(minutes=45)
    with django_capture_on_commit_callbacks(execute=True):
        idle = start(email="idle@example.com").chat
        services.agent_message(chat=idle, agent=agent, body="Anything else?")
        busy = start(email="busy@example.com").chat
        services.agent_message(chat=busy, agent=agent, body="Let me check.")
    Message.objects.filter(ticket_id=idle.ticket_id).update(created_at=long_ago)
    Chat.objects.filter(pk__in=[idle.pk, busy.pk]).update(accepted_at=long_ago)
    Message.objects.filter(ticket_id=busy.ticket_id, author_type="customer").update(
        created_at=long_ago)  # the agent wrote just now
    with django_capture_on_commit_callbacks(execute=True):
        result = sweep_chats.apply().get()
    assert result["idle"] == 1
    idle, busy = Chat.objects.get(pk=idle.pk), Chat.objects.get(pk=busy.pk)
    assert idle.status == Chat.Status.ENDED and idle.ended_at is not None
    assert Ticket.objects.get(pk=idle.ticket_id).status == Ticket.Status.SOLVED
    assert busy.status == Chat.Status.ACTIVE


def test_sweep_runs_every_minute_from_beat():
    entry = celery_app.conf.beat_schedule["chat-sweep"]
    assert entry["task"] == "chat.tasks.sweep_chats"
    assert entry["task"] in celery_app.tasks


# -- what one message costs -------------------------------------------------------------

def _cost(fn, capture):
    with CaptureQueriesContext(connection) as queries, capture(execute=True):
        fn()
    return [q["sql"] for q in queries.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def test_one_chat_message_costs_a_fixed_number_of_queries(
        chat_team, agent, django_capture_on_commit_callbacks):
    """The hot path of live chat (docs/live-chat.md, "Benchmark"): the visitor's socket
    keeps its chat, so a message reads the chat's status and the ticket under lock,
    writes the message and the ticket, and the after-commit work (rules, webhooks) is
    what the ticket services do for any customer message."""
    with django_capture_on_commit_callbacks(execute=True):
        chat = start().chat
        services.accept_chat(chat=chat, agent=agent)
    chat = Chat.objects.select_related("ticket__customer", "agent").get(pk=chat.pk)
    services.visitor_message(chat=chat, body="warm-up")  # per-process caches (rules)
    visitor = _cost(lambda: services.visitor_message(chat=chat, body="Hello?"),
                    django_capture_on_commit_callbacks)
    # On PostgreSQL the ticket's UPDATE also rewrites its search vector (no second
    # UPDATE), and the signal says the message is not automatic and not the ticket's
    # first (no query to ask either). The webhook subscriptions are a per-process copy
    # (docs/performance.md, "Email intake"): 10 before, 9 before the fifth round.
    assert len(visitor) == 8, "\n".join(visitor)
    # The socket's chat is not loaded again, nor its customer; the chat row is read once.
    assert sum('FROM "chat_chat"' in q for q in visitor) == 2  # status lock; live check
    assert not any('FROM "tickets_customer"' in q for q in visitor)
    # An agent's reply refreshes the search vector after commit (one UPDATE on PostgreSQL).
    search = 1 if connection.vendor == "postgresql" else 0
    agent_cost = _cost(lambda: services.agent_message(chat=chat, agent=agent, body="Hi"),
                       django_capture_on_commit_callbacks)
    warm = _cost(lambda: services.agent_message(chat=chat, agent=agent, body="More"),
                 django_capture_on_commit_callbacks)
    assert len(warm) <= len(agent_cost)
    assert len(warm) == 9 + search, "\n".join(warm)  # 10 before the subscriptions' copy
