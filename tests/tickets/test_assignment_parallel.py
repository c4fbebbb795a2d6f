"""Automatic assignment under real concurrency (PostgreSQL): tickets created through the
API at the same moment never push an agent past capacity."""

import threading

import pytest
from django.db import connection, connections

from helpdesk.models import User
from tests.conftest import api_client_for
from tests.factories import TeamFactory, UserFactory
from tickets.models import Team, Ticket

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

THREADS = 8


def create_at_once(users, team) -> list[int]:
    """Each thread (its own database connection) POSTs one ticket, all released together."""
    barrier = threading.Barrier(len(users))
    codes, errors = [], []

    def post(user, n):
        try:
            client = api_client_for(user)
            barrier.wait(timeout=30)
            response = client.post("/api/v1/tickets/", {
                "subject": f"Parallel {n}", "body": "At once",
                "customer": {"email": f"c{n}@example.com"}, "team": team.pk}, format="json")
            codes.append(response.status_code)
        except Exception as exc:  # reported below, with the thread's own traceback text
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(u, n)) for n, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return codes


@pytest.mark.parametrize("mode", [Team.Assignment.ROUND_ROBIN, Team.Assignment.LEAST_BUSY])
def test_parallel_tickets_never_exceed_capacity(settings, mode):
    team = TeamFactory(name=f"Parallel {mode}", assignment=mode)
    agents = [UserFactory(email=f"cap{i}@helpdesk.test", teams=[team]) for i in range(3)]
    User.objects.filter(pk__in=[a.pk for a in agents]).update(capacity=1)
    # The callers: a manager per thread (any staff user may create in this team).
    callers = [UserFactory(email=f"caller{i}@helpdesk.test", role=User.Role.MANAGER)
               for i in range(THREADS)]

    codes = create_at_once(callers, team)

    assert codes == [201] * THREADS
    per_agent = {a.pk: Ticket.objects.filter(assignee=a).count() for a in agents}
    assert per_agent == {a.pk: 1 for a in agents}  # everyone got one, nobody two
    waiting = Ticket.objects.filter(team=team, assignee__isnull=True).count()
    assert waiting == THREADS - len(agents)


def test_agent_of_two_teams_is_not_overfilled_from_both(settings):
    """The team lock alone would not do: the agent's row is locked as well."""
    teams = [TeamFactory(name=f"Both {i}", assignment=Team.Assignment.ROUND_ROBIN)
             for i in range(2)]
    shared = UserFactory(email="shared@helpdesk.test", teams=teams)
    User.objects.filter(pk=shared.pk).update(capacity=1)
    callers = [UserFactory(email=f"two{i}@helpdesk.test", role=User.Role.MANAGER)
               for i in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors = []

    def post(user, n):
        try:
            client = api_client_for(user)
            barrier.wait(timeout=30)
            client.post("/api/v1/tickets/", {
                "subject": f"Two {n}", "body": "x", "customer": {"email": f"t{n}@example.com"},
                "team": teams[n % 2].pk}, format="json")
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(u, n)) for n, u in enumerate(callers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert Ticket.objects.filter(assignee=shared).count() == 1
