"""Relationship and transactional answers never mix: every transactional figure (summary,
each breakdown, follow-ups, churn by NPS, live and from the rollups) is the same with
or without relationship answers in the database; the relationship view reads only them."""

from datetime import date, timedelta

import pytest

from metrics import relationship
from metrics.fast import read
from metrics.fast.refresh import refresh_rollups
from metrics.filters import MetricFilters
from metrics.queries import families
from metrics.queries.churn import churn_by_nps_category
from surveys.models import FollowUp, Invitation, Kind, RelationshipWave, Response, SurveyProgram
from tests.conftest import api_client_for
from tests.factories import OrganizationFactory

from .conftest import END, INSIDE, START, make_invitation, make_response, make_ticket


@pytest.fixture
def transactional(team, agent):
    org = OrganizationFactory(tier="premium")
    for i in range(12):
        ticket = make_ticket(team=team, assignee=agent, channel="email" if i % 2 else "chat",
                             status="solved", solved_at=INSIDE)
        ticket.customer.organization = org
        ticket.customer.save()
        invitation = make_invitation(ticket=ticket, answered_with=None)
        make_response("nps", i % 11, ticket=ticket, invitation=invitation, team=team, agent=agent,
                      organization=org, organization_tier="premium")
        Invitation.objects.filter(pk=invitation.pk).update(status="answered")
        make_response("csat", 1 + i % 5, ticket=ticket, team=team, agent=agent)
    return org


def _relationship_noise(org, team, agent):
    """Relationship answers that share every other dimension with the transactional ones:
    only ``kind`` tells them apart."""
    program = SurveyProgram.objects.create(name="R", kind=Kind.RELATIONSHIP, metric="nps",
                                           question_en="Q", question_fi="K")
    wave = RelationshipWave.objects.create(program=program, number=1, starts_on=START.date(),
                                           ends_on=START.date())
    people = list(org.customers.order_by("pk")[:8])
    for customer, score in zip(people, (0, 0, 1, 2, 3, 10, 0, 0), strict=True):
        invitation = Invitation.objects.create(
            program=program, kind=Kind.RELATIONSHIP, wave=wave, customer=customer,
            metric="nps", status="answered", send_after=INSIDE, sent_at=INSIDE)
        response = Response.objects.create(
            invitation=invitation, kind=Kind.RELATIONSHIP, wave=wave, metric="nps", scale_min=0,
            scale_max=10, score=score, customer=customer, organization=org,
            organization_tier="premium", channel="email", team=team, agent=agent,
            created_at=INSIDE)
        if score <= 6:
            FollowUp.objects.create(response=response, team=team, due_at=INSIDE, created_at=INSIDE)
    return wave


def _everything(team, agent) -> list:
    results = []
    for f in (MetricFilters(START, END), MetricFilters(START, END, team_id=team.pk),
              MetricFilters(START, END, agent_id=agent.pk, channel="email"),
              MetricFilters(START, END, tier="premium")):
        results.append(read.summary_pair(f))
        results += [read.breakdown(f, by) for by in read.DIMENSIONS]
        results.append(families.follow_ups(f, now=END))
    results.append(churn_by_nps_category(date(2026, 1, 1), date(2026, 12, 31),
                                         responses_from=START, responses_to=END))
    return results


def test_every_transactional_figure_ignores_relationship_answers(transactional, team, agent):
    before = _everything(team, agent)
    assert before[0][0]["nps"]["n"] == 12  # not vacuous
    _relationship_noise(transactional, team, agent)
    assert _everything(team, agent) == before


def test_rollups_ignore_relationship_answers_too(transactional, team, agent):
    before = _everything(team, agent)
    _relationship_noise(transactional, team, agent)
    refresh_rollups(since=START.date() - timedelta(days=8), until=END.date() + timedelta(days=1))
    assert _everything(team, agent) == before


def test_relationship_view_reads_only_relationship_answers(transactional, team, agent):
    wave = _relationship_noise(transactional, team, agent)
    [row] = relationship.by_wave(wave.program)
    assert row["wave_id"] == wave.pk and row["score"]["n"] == 8
    assert row["score"]["score"] == 100 * (1 - 7) / 8  # 1 promoter, 7 detractors
    assert row["score"]["margin_of_error"] is not None
    [org] = relationship.by_organization(wave.program, wave.pk)
    assert org["score"]["n"] == 8
    [tier] = relationship.by_tier(wave.program, wave.pk)
    assert tier["organization_tier"] == "premium" and tier["score"]["n"] == 8


def test_responses_api_filters_by_kind(transactional, team, agent, manager):
    _relationship_noise(transactional, team, agent)
    api = api_client_for(manager)
    assert api.get("/api/v1/surveys/responses/?kind=relationship").json()["count"] == 8
    assert api.get("/api/v1/surveys/responses/?kind=transactional").json()["count"] == 24
    bad = api.get("/api/v1/surveys/responses/?kind=both")
    assert bad.status_code == 400 and "kind" in bad.json()
