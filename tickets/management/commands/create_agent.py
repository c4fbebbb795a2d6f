"""Create or update a staff user and print their API token on the last line.

Scripts rely on that last line: ``TOKEN=$(manage.py create_agent a@x.fi --role agent | tail -1)``.
Tokens are stored hashed (docs/identity.md), so each run issues a new read-write token
named "create_agent" and revokes the one the previous run issued.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from identity.tokens import active_tokens, create_api_token, revoke_api_token
from tickets.models import Team, TeamMembership

ROLES = ("agent", "manager", "admin", "analyst")


TOKEN_NAME = "create_agent"  # noqa: S105 (a label, not a secret)


class Command(BaseCommand):
    help = "Create or update a staff user (agent, manager, admin or analyst) and print a new API token."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--role", required=True, help="agent, manager, admin or analyst")
        parser.add_argument("--team", default="", help="team to join (created if missing)")
        parser.add_argument("--password", default=None, help="set this password")
        parser.add_argument("--name", default="", help="display name")
        parser.add_argument("--lead", action="store_true", help="make the user the team's lead")

    def handle(self, *args, email: str, role: str, team: str, password: str | None, name: str,
               lead: bool, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"'{email}' is not a valid email address.") from None
        if role not in ROLES:
            raise CommandError(f"Unknown role '{role}': use one of {', '.join(ROLES)}.")
        with transaction.atomic():
            user, created = upsert_agent(email=email, role=role, name=name, password=password)
            if team.strip():
                join_team(user=user, team_name=team.strip(), lead=lead)
            for old in active_tokens(user).filter(name=TOKEN_NAME):
                revoke_api_token(token=old)
            _, key = create_api_token(user=user, name=TOKEN_NAME)
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {role} {user.email}" + (f" in team {team}" if team else ""))
        self.stdout.write(key)


def upsert_agent(*, email: str, role: str, name: str = "", password: str | None = None):
    """The staff user with this address, created or updated to the given role.

    Passwords are set with set_password directly: this is an operator's command
    (and the demo uses "demo"), so the interactive password validators don't apply.
    """
    User = get_user_model()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User(email=email)
        user.set_unusable_password()
    user.role = role
    # The role makes a staff member (helpdesk.permissions); is_staff only opens the Django admin.
    user.is_staff = user.is_superuser = role == "admin"
    user.is_active = True
    if name:
        user.name = name
    if password:
        user.set_password(password)
    user.save()
    return user, created


def join_team(*, user, team_name: str, lead: bool = False) -> Team:
    team = Team.objects.filter(name__iexact=team_name).first()
    if team is None:
        team = Team.objects.create(name=team_name)
    membership, _ = TeamMembership.objects.get_or_create(team=team, user=user)
    if lead and not membership.is_lead:
        membership.is_lead = True
        membership.save(update_fields=["is_lead"])
    return team
