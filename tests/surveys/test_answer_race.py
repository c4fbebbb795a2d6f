"""Two people (or one double click) pressing "send" on the same survey link at once
(issue 11, item 8): both get the confirmation page, and exactly one response and one
follow-up exist. Real concurrent HTTP requests on PostgreSQL, each with its own
database connection, against a live server."""

import os
import threading
import time
import urllib.parse
import urllib.request

import pytest

from helpdesk.models import OutboundEmail
from surveys.models import FollowUp, Response
from surveys.services import answers

from .conftest import score_path

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")),
                       reason="needs PostgreSQL: SQLite serialises every write"),
]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # report the 302 itself


def _post(url: str, score: int, results: list, barrier: threading.Barrier) -> None:
    data = urllib.parse.urlencode({"score": score, "comment": ""}).encode()
    opener = urllib.request.build_opener(_NoRedirect)
    barrier.wait()
    try:
        with opener.open(url, data=data, timeout=30) as reply:
            results.append(reply.status)
    except urllib.error.HTTPError as exc:
        results.append(exc.code)


def _concurrently(url: str, score: int, n: int = 2) -> list[int]:
    results: list[int] = []
    barrier = threading.Barrier(n)
    threads = [threading.Thread(target=_post, args=(url, score, results, barrier))
               for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def slow_follow_up(monkeypatch):
    """Hold each request a moment before it writes the follow-up, so both requests have
    decided "no follow-up yet" before either writes one: the race of the probe, made
    certain instead of likely."""
    real = answers.create_follow_up

    def slow(**kwargs):
        time.sleep(0.5)
        return real(**kwargs)

    monkeypatch.setattr(answers, "create_follow_up", slow)


def test_two_concurrent_lowest_scores_after_a_passive_answer(live_server, transactional_db,
                                                             sent_invitation, slow_follow_up):
    url = live_server.url + score_path(3)
    assert _concurrently(url, 3, n=1) == [302]  # a passive answer: no follow-up yet
    codes = _concurrently(live_server.url + score_path(1), 1)
    assert sorted(codes) == [302, 302]
    assert Response.objects.get().score == 1
    assert FollowUp.objects.count() == 1
    assert OutboundEmail.objects.filter(kind="survey_followup_alert").count() <= 1


def test_two_concurrent_first_answers(live_server, transactional_db, sent_invitation,
                                      slow_follow_up):
    codes = _concurrently(live_server.url + score_path(1), 1)
    assert sorted(codes) == [302, 302]
    assert Response.objects.count() == 1
    assert FollowUp.objects.count() == 1
