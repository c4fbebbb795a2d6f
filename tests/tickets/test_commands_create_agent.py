from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from helpdesk.models import User
from identity.models import ApiToken, digest_key
from tickets.models import Team, TeamMembership


def run(*args) -> list[str]:
    out = StringIO()
    call_command("create_agent", *args, stdout=out)
    return out.getvalue().strip().splitlines()


@pytest.mark.django_db
def test_create_agent_creates_staff_user_in_new_team():
    run("new.agent@example.com", "--role", "agent", "--team", "Nordic", "--name", "Nea Agent")
    user = User.objects.get(email="new.agent@example.com")
    assert (user.role, user.name, user.is_staff, user.is_superuser) == ("agent", "Nea Agent",
                                                                         False, False)
    assert TeamMembership.objects.filter(user=user, team__name="Nordic").exists()


@pytest.mark.django_db
def test_create_agent_prints_the_token_alone_on_the_last_line():
    lines = run("tok@example.com", "--role", "manager")
    user = User.objects.get(email="tok@example.com")
    token = ApiToken.objects.get(user=user)
    assert token.key_digest == digest_key(lines[-1]) and token.revoked_at is None


@pytest.mark.django_db
def test_create_agent_updates_an_existing_user_and_replaces_its_token(agent):
    first = run(agent.email.upper(), "--role", "agent")[-1]
    second = run(agent.email, "--role", "manager", "--team", "Billing")[-1]
    agent.refresh_from_db()
    assert agent.role == "manager"
    # Keys are stored hashed: a second run issues a new one and revokes the first.
    assert first != second
    tokens = {t.key_digest: t for t in ApiToken.objects.filter(user=agent)}
    assert tokens[digest_key(first)].revoked_at is not None
    assert tokens[digest_key(second)].revoked_at is None
    assert User.objects.filter(email__iexact=agent.email).count() == 1
    assert Team.objects.get(name="Billing").members.filter(pk=agent.pk).exists()


@pytest.mark.django_db
def test_create_agent_admin_role_opens_the_admin_site():
    run("root@example.com", "--role", "admin")
    user = User.objects.get(email="root@example.com")
    assert user.is_staff and user.is_superuser


@pytest.mark.django_db
def test_create_agent_accepts_a_short_password():
    run("demo@example.com", "--role", "agent", "--password", "demo")
    assert User.objects.get(email="demo@example.com").check_password("demo")


@pytest.mark.django_db
def test_create_agent_joins_an_existing_team_case_insensitively(team):
    run("x@example.com", "--role", "agent", "--team", "support")
    assert Team.objects.count() == 1
    assert team.members.filter(email="x@example.com").exists()


@pytest.mark.django_db
def test_create_agent_refuses_an_unknown_role():
    with pytest.raises(CommandError, match="Unknown role"):
        run("x@example.com", "--role", "boss")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_create_agent_refuses_a_malformed_email():
    with pytest.raises(CommandError, match="not a valid email"):
        run("not-an-email", "--role", "agent")
