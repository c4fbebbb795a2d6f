"""The daily rollups answer every figure exactly as the live queries do."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.fast import read
from metrics.fast.refresh import refresh_recent, refresh_rollups
from metrics.filters import MetricFilters
from metrics.models import DailyScoreStats, DailyTicketStats, RollupState
from surveys.models import Response
from tests.factories import OrganizationFactory, UserFactory
from tickets.models import Ticket

from .conftest import END, HEL, START, make_invitation, make_response, make_ticket

pytestmark = pytest.mark.django_db
FIRST_DAY, LAST_DAY = (START - timedelta(days=10)).date(), END.date()
CHANNELS = ("email", "web", "chat", "phone")
STATUSES = ("solved", "closed", "open", "pending", "solved", "new")
PRIORITIES = ("low", "normal", "high", "urgent")


@pytest.fixture
def varied(team, other_team, agent, other_agent):
    """~70 tickets over two weeks around the period: every channel, two agents and none,
    two teams and none, three tiers and none, every status, reopened, SLA met and breached,
    spam and merged, near local midnight, with responses of every metric and invitations."""
    helper = UserFactory(teams=[team])
    agents, teams = (agent, other_agent, helper, None), (team, other_team, None)
    orgs = [OrganizationFactory(tier=t) for t in ("free", "premium", "enterprise")] + [None]
    merged_into = None
    for i in range(72):
        created = START - timedelta(days=9) + timedelta(days=i % 17, hours=(i * 7) % 24,
                                                        minutes=(i * 13) % 60)
        status = STATUSES[i % len(STATUSES)]
        fields = {"created_at": created, "channel": CHANNELS[i % 4], "assignee": agents[i % 4],
                      "team": teams[i % 3], "priority": PRIORITIES[(i // 2) % 4], "status": status,
                      "reopen_count": 1 if i % 5 == 0 else 0, "public_reply_count": 1 + i % 3 // 2,
                      "is_spam": i == 7}
        if i % 6 != 5:
            fields["first_response_at"] = created + timedelta(hours=1 + i % 30)
        if status in ("solved", "closed"):
            fields["solved_at"] = created + timedelta(hours=3 + (i * 5) % 70)
        sla = None if i % 4 == 3 else {
            "first_response_business_seconds": 600 * (i % 9) if "first_response_at" in fields else None,
            "first_response_due_at": created + timedelta(hours=8) if i % 3 else None,
            "first_response_breached": i % 7 == 0,
            "resolution_business_seconds": 3600 * (i % 11) if "solved_at" in fields else None,
            "resolution_due_at": created + timedelta(days=2) if i % 2 else None,
            "resolution_breached": i % 9 == 0,
        }
        ticket = make_ticket(sla=sla, **fields)
        ticket.customer.organization = orgs[i % 4]
        ticket.customer.save(update_fields=["organization"])
        if i == 11:
            merged_into = ticket
        if i == 12:
            Ticket.objects.filter(pk=ticket.pk).update(merged_into=merged_into)
        _surveys_of(ticket, i, orgs[i % 4])
    # Midnight edges: 23:59 and 00:01 local time are on different local days.
    for moment in (START - timedelta(minutes=1), START + timedelta(minutes=1),
                   END - timedelta(minutes=1), END + timedelta(minutes=1)):
        make_response("nps", 3, created_at=moment)
        make_ticket(created_at=moment, solved_at=moment, status="solved", channel="web")
    bad_scale = make_response("csat", 5)
    Response.objects.filter(pk=bad_scale.pk).update(scale_max=10, score=9)


def _surveys_of(ticket, i: int, org) -> None:
    when = ticket.created_at + timedelta(days=1, hours=i % 5)
    extra = {"agent": ticket.assignee, "team": ticket.team, "created_at": when,
             "organization": org, "organization_tier": org.tier if org else ""}
    metric, score = [("nps", i % 11), ("csat", 1 + i % 5), ("ces", 1 + i % 7)][i % 3]
    if i % 2:
        invitation = make_invitation(ticket=ticket, sent_at=when - timedelta(hours=2))
        make_response(metric, score, ticket=ticket, invitation=invitation, **extra)
    elif i % 4 == 0:
        make_invitation(ticket=ticket, sent_at=when)
    else:
        make_response(metric, score, ticket=ticket, **extra)


def _filter_sets(team, agent) -> list[MetricFilters]:
    base = MetricFilters(START, END)
    return [base, MetricFilters(START - timedelta(days=9), END + timedelta(days=6)),
            MetricFilters(START, START + timedelta(days=1)),
            *(MetricFilters(START, END, **kw) for kw in (
                {"channel": "chat"}, {"agent_id": agent.pk}, {"team_id": team.pk},
                {"tier": "premium"}, {"priority": "high"},
                {"channel": "email", "team_id": team.pk, "tier": "free"}))]


def _everything(filters: list[MetricFilters]) -> list:
    results = []
    for f in filters:
        results.append(read.summary_pair(f))
        results += [read.breakdown(f, by) for by in read.DIMENSIONS]
    return results


def _refresh_all() -> None:
    refresh_rollups(since=FIRST_DAY - timedelta(days=12), until=LAST_DAY + timedelta(days=8))


def test_every_figure_from_rollups_equals_the_live_computation(varied, team, agent):
    filters = _filter_sets(team, agent)
    live = _everything(filters)
    _refresh_all()
    with CaptureQueriesContext(connection) as captured:
        from_rollups = _everything(filters)
    assert any(DailyTicketStats._meta.db_table in q["sql"] for q in captured.captured_queries)
    assert any(DailyScoreStats._meta.db_table in q["sql"] for q in captured.captured_queries)
    assert list(_diff(from_rollups, live))[:20] == []  # readable first differences
    assert from_rollups == live
    assert live[0][0]["nps"]["n"] > 5 and live[0][0]["tickets_solved"] > 5  # not vacuous


def test_refresh_of_exactly_the_period_counts_rows_just_after_local_midnight(varied):
    f = MetricFilters(START, END)
    live = read.summary(f)
    refresh_rollups(since=START.date(), until=(END - timedelta(days=1)).date())
    assert read.summary(f) == live


def test_rollups_are_not_used_for_days_they_do_not_hold(varied):
    refresh_rollups(since=START.date(), until=START.date() + timedelta(days=2))
    with CaptureQueriesContext(connection) as captured:
        read.summary(MetricFilters(START, END))
    assert not any(DailyTicketStats._meta.db_table in q["sql"] for q in captured.captured_queries)


def test_refresh_is_idempotent(varied):
    _refresh_all()
    first = (list(DailyTicketStats.objects.values().order_by("day", "channel", "agent_id",
                                                             "team_id", "priority", "pk")),
             DailyScoreStats.objects.count())
    _refresh_all()
    second = (list(DailyTicketStats.objects.values().order_by("day", "channel", "agent_id",
                                                              "team_id", "priority", "pk")),
              DailyScoreStats.objects.count())
    strip = lambda rows: [{k: v for k, v in r.items() if k != "id"} for r in rows]  # noqa: E731
    assert strip(first[0]) == strip(second[0]) and first[1] == second[1]


def test_reopen_of_an_old_ticket_is_picked_up_by_the_refresh_of_its_day(team):
    solved_at = START + timedelta(days=1, hours=3)
    ticket = make_ticket(created_at=START, solved_at=solved_at, status="solved",
                         public_reply_count=1)
    f = MetricFilters(START, END)
    _refresh_all()
    assert read.summary(f)["fcr_pct"] == 100.0
    Ticket.objects.filter(pk=ticket.pk).update(reopen_count=1)
    assert read.summary(f)["fcr_pct"] == 100.0  # the rollup does not know yet
    refresh_rollups(since=solved_at.astimezone(HEL).date(), until=solved_at.astimezone(HEL).date())
    assert read.summary(f)["fcr_pct"] == 0.0 and read.summary(f)["reopen_pct"] == 100.0


def test_late_response_is_picked_up_by_the_refresh_of_its_day():
    _refresh_all()
    make_response("nps", 10, created_at=START + timedelta(hours=12))
    f = MetricFilters(START, END)
    assert read.summary(f)["nps"]["n"] == 0
    refresh_rollups(since=START.date(), until=START.date())
    assert read.summary(f)["nps"]["n"] == 1


def test_refresh_recent_covers_through_tomorrow(time_machine):
    time_machine.move_to(START + timedelta(hours=10))
    _refresh_all()
    since, until = refresh_recent(days=2)
    state = RollupState.objects.get()
    assert (since, until) == (START.date() - timedelta(days=1), START.date() + timedelta(days=1))
    assert state.covered_until >= until and state.covered_from == FIRST_DAY - timedelta(days=12)


def test_refresh_recent_refreshes_every_day_when_the_rollups_hold_none(time_machine):
    time_machine.move_to(START + timedelta(hours=10))
    make_ticket(created_at=START - timedelta(days=40))
    since, until = refresh_recent(days=2)  # nothing held yet: a new install, or emptied
    state = RollupState.objects.get()
    assert since == (START - timedelta(days=40)).date() and until == START.date() + timedelta(days=1)
    assert state.covered_from == date(1970, 1, 1)  # nothing is older
    since, _until = refresh_recent(days=2)  # held now: just the recent days
    assert since == START.date() - timedelta(days=1)


def test_refresh_metrics_command_with_all_covers_the_first_ticket(capsys):
    make_ticket(created_at=START - timedelta(days=40))
    call_command("refresh_metrics", "--all")
    first_day = (START - timedelta(days=40)).date()
    assert DailyTicketStats.objects.filter(day=first_day, created=1).exists()
    # nothing is older, so earlier days count as held (empty) and a long previous period
    # still comes from the rollups
    assert RollupState.objects.get().covered_from < first_day
    assert "Refreshed" in capsys.readouterr().out


def _diff(a, b, path=""):  # debugging aid
    if isinstance(a, dict) and isinstance(b, dict):
        for k in set(a) | set(b):
            yield from _diff(a.get(k), b.get(k), f"{path}.{k}")
    elif isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from _diff(x, y, f"{path}[{i}]")
    elif a != b:
        yield f"{path}: {a!r} != {b!r}"


def test_dashboard_from_rollups_has_a_pinned_query_count(client, manager, varied,
                                                         django_assert_num_queries):
    _refresh_all()
    client.force_login(manager)
    # Cold cache. user 1 (the session is in the cache: helpdesk/sessions.py), rollup state 1 (figures and freshness share it);
    # read.dashboard_figures: one grouped query per rollup table (every dimension and both
    # periods at once), the percentile bucket bounds and one read of running totals (a
    # third, inside buckets of several values, this small fixture does not need), one live
    # backlog count; follow-ups 1, filter choices 2 (which also label the tables). SQLite
    # computes the percentiles live with window functions per grouping and anchor (plus a
    # backlog per grouping), hence more. Live chat figures: 3 (metrics/queries/chat.py).
    # The custom dropdown fields a breakdown may use: 1 (docs/custom-fields.md).
    expected = 14 if connection.vendor == "postgresql" else 26
    with django_assert_num_queries(expected):
        response = client.get("/metrics/?from=2026-06-01&to=2026-06-07")
    assert "Figures as of" in response.content.decode()


def test_dashboard_says_live_when_rollups_do_not_hold_the_period(client, manager):
    client.force_login(manager)
    response = client.get("/metrics/?from=2026-06-01&to=2026-06-07")
    assert "Live figures." in response.content.decode()


def test_api_and_ui_agree_when_reading_rollups(client, manager, varied):
    from tests.conftest import api_client_for

    _refresh_all()
    api = api_client_for(manager).get("/api/v1/metrics/summary/?from=2026-06-01&to=2026-06-07")
    client.force_login(manager)
    page = client.get("/metrics/?from=2026-06-01&to=2026-06-07")
    summary = page.context["summary"]
    assert api.json()["nps"] == summary["nps"] and api.json()["tickets_solved"] == summary["tickets_solved"]
    assert api.json() == read.summary(MetricFilters(START, END)) | {}
