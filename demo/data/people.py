"""Teams, staff, organizations, customers and survey programs of the demo.

Everything here is created idempotently (looked up by name or email first), so
a second run adds tickets to the same cast.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db.models.functions import Lower

from helpdesk.models import User
from surveys.models import Metric, SurveyProgram
from tickets import directory
from tickets.models import Customer, Organization, OrganizationDomain, Team, TeamMembership

from . import vocabulary as v

DEMO_PASSWORD = "demo"  # noqa: S105  (printed on purpose: demo logins)
DEMO_LOGINS = [("agent@demo.test", "agent"), ("manager@demo.test", "manager"),
               ("admin@demo.test", "admin")]


@dataclass
class Cast:
    """The ids the ticket generator draws from (plain ints: cheap to keep for 1M tickets)."""

    teams: dict[str, int] = field(default_factory=dict)
    agents_by_team: dict[int, list[int]] = field(default_factory=dict)
    lead_of_team: dict[int, int] = field(default_factory=dict)
    agent_skill: dict[int, float] = field(default_factory=dict)
    agent_names: dict[int, str] = field(default_factory=dict)
    # (id, language, organization id, tier, first name) per customer.
    customers: list[tuple[int, str, int | None, str, str]] = field(default_factory=list)
    programs: dict[str, int] = field(default_factory=dict)


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum() or ch in ".-").strip(".-")


def person_name(rng: random.Random, finnish: bool) -> str:
    if finnish:
        return f"{rng.choice(v.FIRST_FI)} {rng.choice(v.LAST_FI)}"
    return f"{rng.choice(v.FIRST_INTL)} {rng.choice(v.LAST_INTL)}"


def build_staff(rng: random.Random, *, agents: int = 40) -> Cast:
    cast = Cast()
    for name in v.TEAMS:
        team, _ = Team.objects.get_or_create(
            name=name, defaults={"email": f"{name.lower()}@demo.test"})
        cast.teams[name] = team.pk
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow by design
    users = [("agent@demo.test", "Aino Agent", "agent", "Support")]
    users += [("manager@demo.test", "Maija Manager", "manager", None),
              ("manager2@demo.test", "Mark Manager", "manager", None),
              ("manager3@demo.test", "Mervi Manageri", "manager", None),
              ("admin@demo.test", "Ada Admin", "admin", None)]
    for i in range(agents - 1):
        name = person_name(rng, finnish=rng.random() < 0.65)
        email = f"{ascii_slug(name.replace(' ', '.'))}{i}@demo.test"
        users.append((email, name, "agent", v.TEAMS[i % len(v.TEAMS)]))
    existing = {u.email: u for u in User.objects.filter(email__in=[u[0] for u in users])}
    new = [User(email=email, name=name, role=role, password=password,
                is_staff=role == "admin", is_superuser=role == "admin")
           for email, name, role, _ in users if email not in existing]
    User.objects.bulk_create(new)
    by_email = {u.email: u for u in User.objects.filter(email__in=[u[0] for u in users])}
    memberships = []
    for email, _, _, team_name in users:
        if team_name:
            memberships.append(TeamMembership(team_id=cast.teams[team_name],
                                              user=by_email[email]))
    TeamMembership.objects.bulk_create(memberships, ignore_conflicts=True)
    for team_id in cast.teams.values():
        members = list(TeamMembership.objects.filter(team_id=team_id, user__role="agent")
                       .order_by("user_id").values_list("user_id", "is_lead"))
        cast.agents_by_team[team_id] = [user_id for user_id, _ in members]
        lead = next((u for u, is_lead in members if is_lead), None)
        if lead is None and members:
            lead = members[-1][0]  # the last member leads: the demo agent stays a plain agent
            TeamMembership.objects.filter(team_id=team_id, user_id=lead).update(is_lead=True)
        cast.lead_of_team[team_id] = lead
    # Every agent also belongs to Support, the default team new tickets land in
    # (docs/teams.md): whoever signs in sees the web form's and the widget's tickets.
    # After the loop above, so the demo's history still goes to each agent's own team.
    support = cast.teams["Support"]
    TeamMembership.objects.bulk_create(
        [TeamMembership(team_id=support, user=by_email[email])
         for email, _, role, _ in users if role == "agent"], ignore_conflicts=True)
    directory.forget()  # bulk writes send no signals: every process reads the people again
    for user in by_email.values():
        cast.agent_skill[user.pk] = rng.gauss(0, 1)
        cast.agent_names[user.pk] = user.get_short_name()
    return cast


def build_organizations(rng: random.Random, *, count: int, today: date) -> list[Organization]:
    tiers = [Organization.Tier.FREE] * 35 + [Organization.Tier.STANDARD] * 35 + \
        [Organization.Tier.PREMIUM] * 20 + [Organization.Tier.ENTERPRISE] * 10
    revenue = {"free": 0, "standard": 12_000, "premium": 60_000, "enterprise": 400_000}
    wanted = []
    for i in range(count):
        base = f"{v.ORG_PREFIXES[i % len(v.ORG_PREFIXES)]} " \
               f"{v.ORG_SUFFIXES[(i // len(v.ORG_PREFIXES)) % len(v.ORG_SUFFIXES)]}"
        name = f"{base} {rng.choice(v.ORG_FORMS)}" + (f" {i // 480 + 1}" if i >= 480 else "")
        tier = rng.choice(tiers)
        since = today - timedelta(days=rng.randint(30, 6 * 365))
        churned = (today - timedelta(days=rng.randint(1, 300))
                   if rng.random() < 0.12 and (today - since).days > 330 else None)
        amount = Decimal(int(revenue[tier] * rng.uniform(0.5, 2.5))) if revenue[tier] else None
        wanted.append(Organization(name=name, tier=tier, active_since=since, churned_at=churned,
                                   annual_revenue=amount))
    Organization.objects.bulk_create(wanted, ignore_conflicts=True)
    orgs = list(Organization.objects.filter(name__in=[o.name for o in wanted]).order_by("pk"))
    domains = [OrganizationDomain(organization=o, domain=f"{ascii_slug(o.name.replace(' ', '-'))}.example")
               for o in orgs]
    OrganizationDomain.objects.bulk_create(domains, ignore_conflicts=True)
    return orgs


def build_customers(rng: random.Random, *, count: int, orgs: list[Organization],
                    cast: Cast, batch: int = 5000) -> None:
    domains = dict(OrganizationDomain.objects.filter(organization__in=orgs)
                   .values_list("organization_id", "domain"))
    rows = []
    for i in range(count):
        finnish = rng.random() < 0.5
        name = person_name(rng, finnish)
        org = rng.choice(orgs) if orgs and rng.random() < 0.8 else None
        domain = domains.get(org.pk) if org else rng.choice(v.PERSONAL_DOMAINS)
        email = f"{ascii_slug(name.replace(' ', '.'))}.{i}@{domain}"
        language = "fi" if finnish and rng.random() < 0.85 else "en"
        rows.append(Customer(email=email, name=name, organization=org, language=language,
                             survey_opt_out=rng.random() < 0.03))
    existing = set(Customer.objects.annotate(e=Lower("email"))
                   .filter(e__in=[c.email for c in rows]).values_list("e", flat=True)) \
        if count <= 20_000 else _all_emails()
    Customer.objects.bulk_create([c for c in rows if c.email not in existing], batch_size=batch)
    tiers = dict(Organization.objects.values_list("pk", "tier"))
    wanted = {c.email for c in rows}
    for pk, email, language, org_id, name in Customer.objects.order_by("pk").values_list(
            "pk", "email", "language", "organization_id", "name").iterator(chunk_size=10_000):
        if email in wanted:
            cast.customers.append((pk, language, org_id, tiers.get(org_id, ""), name.split(" ")[0]))


def _all_emails() -> set[str]:
    return set(Customer.objects.annotate(e=Lower("email")).values_list("e", flat=True))


# Minutes between closing a ticket and its survey in the demo: a newcomer who closes a
# ticket sees the survey email in the console a couple of minutes later (docs/demo.md).
DEMO_SURVEY_DELAY_MINUTES = 2


def build_programs(cast: Cast) -> None:
    """The demo's programs, narrowest first: the first match wins, so a catch-all goes
    last (the programs page warns about a program that can never send)."""
    specs = [
        ("Enterprise effort score", Metric.CES, [], ["enterprise"],
         "The company made it easy for me to handle my issue.",
         "Yritys teki asiani hoitamisesta helppoa."),
        ("Email and web NPS", Metric.NPS, ["email", "web"], [],
         "How likely are you to recommend us to a friend or colleague?",
         "Kuinka todennäköisesti suosittelisit meitä ystävälle tai kollegalle?"),
        ("Chat and phone CSAT", Metric.CSAT, ["chat", "phone"], [],
         "How satisfied were you with the support you received?",
         "Kuinka tyytyväinen olit saamaasi tukeen?"),
    ]
    for position, (name, metric, channels, tiers, en, fi) in enumerate(specs, 1):
        program, _ = SurveyProgram.objects.update_or_create(
            name=name, defaults={"metric": metric, "channels": channels, "tiers": tiers,
                                 "question_en": en, "question_fi": fi,
                                 "position": position * 10,
                                 "delay_minutes": DEMO_SURVEY_DELAY_MINUTES})
        cast.programs[name] = program.pk
    # The installation's default program (a migration) surveys what is left: API and
    # social tickets. Last in order, or nothing after it could ever send.
    default = SurveyProgram.objects.filter(name="Customer satisfaction (all tickets)").first()
    if default is not None:
        default.position, default.delay_minutes = 100, DEMO_SURVEY_DELAY_MINUTES
        default.save(update_fields=["position", "delay_minutes"])
        cast.programs[default.name] = default.pk
