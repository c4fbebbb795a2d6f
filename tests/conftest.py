"""Personas shared by every test: an agent, their team lead, an agent of another
team, a manager, an admin and a customer."""

import pytest
from rest_framework.test import APIClient

from helpdesk.models import User
from tickets import services

from .factories import CustomerFactory, TeamFactory, UserFactory


def pytest_configure(config):
    """Tests hash passwords with a fast hasher: the production hasher (PBKDF2, over a
    million rounds) costs 0.5–2 s per user on this machine, and almost every test makes
    several users. Sign-in behaviour does not depend on the hasher."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Production reads sessions from Redis (helpdesk/sessions.py); settings.py picks the
    # database alone where there is no Redis to share the copies between processes. The
    # suite is one process per worker, whose local cache is as shared as Redis, so it
    # runs production's engine on SQLite too (and pins the same query counts).
    settings.SESSION_ENGINE = "helpdesk.sessions"
    _empty_postgresql_tables_with_delete()


def _empty_postgresql_tables_with_delete():
    """A transactional test (live server, browser, websocket, real worker) ends with
    Django's flush, which on PostgreSQL is one TRUNCATE of every table: about 2.5 s on
    this machine (each of some 90 tables and their indexes gets new files and its buffers
    dropped), for a few rows. DELETE of the same tables in the flush's one transaction
    takes about 0.1 s and leaves the same empty tables: the schema has no triggers and
    every foreign key is deferred to the commit (Django's default), which
    tests/helpdesk/test_test_flush.py checks. Resetting sequences or cascading (neither
    is used here) keeps Django's TRUNCATE. Tests only: `manage.py flush` is unchanged."""
    try:
        from django.db.backends.postgresql.operations import DatabaseOperations
    except ImportError:  # no PostgreSQL driver: SQLite's flush is DELETE already
        return
    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(self, style, tables, reset_sequences=reset_sequences,
                            allow_cascade=allow_cascade)
        return [f"DELETE FROM {self.quote_name(table)};" for table in tables]  # noqa: S608 (model tables)

    DatabaseOperations.sql_flush = sql_flush


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Each test gets its own media folder, eager tasks and an empty cache (rate-limit
    counters and presence must not leak between tests, also when the cache is Redis)."""
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def team(db):
    """The installation's default team (the "Support" a migration creates, docs/teams.md)."""
    from tickets.models import ChannelDefault, Team

    team, _ = Team.objects.update_or_create(name="Support",
                                            defaults={"email": "support-team@helpdesk.test"})
    # A transactional test's flush removes what migrations wrote; put the default back.
    ChannelDefault.objects.get_or_create(channel="", defaults={"team": team})
    return team


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Billing", email="billing-team@helpdesk.test")


@pytest.fixture
def agent(team):
    return UserFactory(email="aino@helpdesk.test", name="Aino Agent", teams=[team])


@pytest.fixture
def team_lead(team):
    from tickets.models import TeamMembership

    lead = UserFactory(email="lea@helpdesk.test", name="Lea Lead")
    TeamMembership.objects.create(team=team, user=lead, is_lead=True)
    return lead


@pytest.fixture
def other_agent(other_team):
    return UserFactory(email="olli@helpdesk.test", name="Olli Other", teams=[other_team])


@pytest.fixture
def manager(db):
    return UserFactory(email="maija@helpdesk.test", name="Maija Manager", role=User.Role.MANAGER)


@pytest.fixture
def admin_user(db):
    return UserFactory(email="admin@helpdesk.test", name="Ada Admin", role=User.Role.ADMIN,
                       is_staff=True, is_superuser=True)


@pytest.fixture
def analyst(team):
    """Read-only figures (docs/roles.md); a member of the agent's team, which must not
    give them the team's tickets."""
    return UserFactory(email="anni@helpdesk.test", name="Anni Analyst", role=User.Role.ANALYST,
                       teams=[team])


@pytest.fixture
def customer(db):
    return CustomerFactory(email="customer@example.com", name="Kalle Customer")


@pytest.fixture
def other_customer(db):
    return CustomerFactory(email="someone.else@example.org", name="Sanna Someone")


@pytest.fixture
def ticket(customer, team, django_capture_on_commit_callbacks):
    """An open email ticket of the customer, in the agent's team, created by the service."""
    with django_capture_on_commit_callbacks(execute=True):
        return services.create_ticket(services.NewTicket(
            subject="Printer on fire", body="It is on fire.", customer=customer, channel="email",
            team=team
        ))


def api_client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        from django.utils import timezone

        from identity.tokens import create_api_token

        token, key = create_api_token(user=user, name="tests")
        # As in steady use: the last use is written at most once a minute (one UPDATE,
        # tests/identity/test_api_tokens.py), so query counts pinned per request see
        # the token's lookup only.
        token.last_used_at = timezone.now()
        token.save(update_fields=["last_used_at"])
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def api(agent):
    return api_client_for(agent)
