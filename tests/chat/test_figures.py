"""The dashboard's chat figures (metrics/queries/chat.py): waiting time to the first agent
message (median, p90), duration, missed chats, in SQL with a fixed number of queries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import Chat
from metrics.filters import MetricFilters
from metrics.queries.chat import chat_figures

from ..factories import TicketFactory

pytestmark = pytest.mark.django_db


def _chat(started, *, wait=None, length=None, status=Chat.Status.ENDED, team=None):
    ticket = TicketFactory(channel="chat", team=team)
    return Chat.objects.create(
        ticket=ticket, status=status, started_at=started,
        first_agent_message_at=started + timedelta(seconds=wait) if wait is not None else None,
        ended_at=started + timedelta(seconds=length) if length is not None else None)


def _period(now):
    return MetricFilters(start=now - timedelta(days=7), end=now + timedelta(minutes=1))


def test_waiting_time_duration_and_missed(team, django_assert_num_queries):
    now = timezone.now()
    start = now - timedelta(hours=1)
    for wait in (10, 20, 30, 40, 100):
        _chat(start, wait=wait, length=wait + 600, team=team)
    _chat(start, status=Chat.Status.MISSED, length=5, team=team)
    _chat(now - timedelta(days=30), wait=5000, length=6000, team=team)  # outside the period
    with django_assert_num_queries(3):
        figures = chat_figures(_period(now))
    assert figures["total"] == 6 and figures["missed"] == 1
    assert figures["missed_pct"] == pytest.approx(16.7)
    assert figures["wait_median"] == pytest.approx(30)
    assert figures["wait_p90"] == pytest.approx(76)  # percentile_cont: 40 + 0.6 × 60
    assert figures["duration_median"] == pytest.approx(630)


def test_no_chats_gives_empty_figures(db):
    figures = chat_figures(_period(timezone.now()))
    assert figures["total"] == 0 and figures["wait_median"] is None
    assert figures["missed_pct"] is None


def test_team_filter(team, other_team):
    now = timezone.now()
    _chat(now - timedelta(hours=1), wait=10, length=100, team=team)
    _chat(now - timedelta(hours=1), wait=99, length=100, team=other_team)
    f = _period(now)
    f = type(f)(start=f.start, end=f.end, team_id=other_team.pk)
    assert chat_figures(f)["wait_median"] == pytest.approx(99)


def test_dashboard_shows_the_chat_block(client, manager, team):
    _chat(timezone.now() - timedelta(hours=1), wait=45, length=300, team=team)
    client.force_login(manager)
    html = client.get("/metrics/").content.decode()
    assert "Live chat" in html and "45 s" in html
