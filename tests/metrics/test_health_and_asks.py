"""Organization health, organizations by risk, the relationship page and promoter asks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from metrics.health import organizations_by_risk
from surveys.models import FollowUp, Kind, PromoterAsk, RelationshipWave, Response, SurveyProgram
from tests.factories import CustomerFactory, OrganizationFactory


@pytest.fixture
def wave(db):
    program = SurveyProgram.objects.create(name="R", kind=Kind.RELATIONSHIP, metric="nps",
                                           question_en="Q", question_fi="K")
    day = timezone.localdate()
    return RelationshipWave.objects.create(program=program, number=1, starts_on=day, ends_on=day)


def _relationship(org, wave, scores, *, overdue=0):
    for i, score in enumerate(scores):
        person = CustomerFactory(organization=org)
        response = Response.objects.create(
            kind=Kind.RELATIONSHIP, wave=wave, metric="nps", scale_min=0, scale_max=10,
            score=score, customer=person, organization=org, organization_tier=org.tier)
        if i < overdue:
            FollowUp.objects.create(response=response,
                                    due_at=timezone.now() - timedelta(hours=1))


def test_organizations_by_risk_puts_detractors_with_overdue_follow_ups_first(wave):
    calm = OrganizationFactory(name="Calm", annual_revenue=900000)
    unhappy = OrganizationFactory(name="Unhappy", annual_revenue=1000)
    late = OrganizationFactory(name="Late but happy", annual_revenue=5000)
    richer = OrganizationFactory(name="Unhappy and rich", annual_revenue=800000)
    OrganizationFactory(name="Gone", churned_at=timezone.localdate() - timedelta(days=1))
    _relationship(calm, wave, [10, 9, 9])
    _relationship(unhappy, wave, [0, 2, 9], overdue=1)
    _relationship(richer, wave, [0, 2, 9], overdue=1)
    _relationship(late, wave, [10, 10, 3], overdue=1)
    rows = organizations_by_risk()
    assert [r["organization"].name for r in rows] == [
        "Unhappy and rich", "Unhappy", "Late but happy", "Calm"]
    assert [r["risk"] for r in rows] == ["high", "high", "medium", "low"]


def test_risk_page_and_relationship_page_keep_their_query_count(
        client, manager, wave, django_assert_max_num_queries):
    for i in range(6):
        _relationship(OrganizationFactory(), wave, [i, 9, 10], overdue=i % 2)
    client.force_login(manager)
    with django_assert_max_num_queries(10):
        risk = client.get("/metrics/organizations/risk/")
    with django_assert_max_num_queries(12):
        relationship = client.get("/metrics/relationship/")
    assert risk.status_code == relationship.status_code == 200
    assert "Trend by wave" in relationship.content.decode()


def test_organization_page_shows_health(client, manager, wave):
    org = OrganizationFactory(name="Acme")
    _relationship(org, wave, [0, 0, 10], overdue=2)
    client.force_login(manager)
    page = client.get(f"/organizations/{org.pk}/").content.decode()
    assert "High risk" in page and "Relationship NPS" in page and "2 overdue" in page


def test_agents_do_not_see_the_manager_pages(client, agent):
    client.force_login(agent)
    assert client.get("/metrics/relationship/").status_code == 403
    assert client.get("/metrics/organizations/risk/").status_code == 403


def test_ask_clicks_are_tracked_and_reported_per_ask(client, manager, customer):
    from surveys.emails import ask_url

    response = Response.objects.create(metric="nps", scale_min=0, scale_max=10, score=10,
                                       customer=customer)
    ask = PromoterAsk.objects.create(response=response, kind="referral",
                                     url="https://example.com/refer")
    other = Response.objects.create(metric="nps", scale_min=0, scale_max=10, score=9,
                                    customer=customer)
    PromoterAsk.objects.create(response=other, kind="referral", url="https://example.com/refer")
    path = ask_url(ask.pk).split("8000", 1)[1]
    for _ in range(2):
        hop = client.get(path)
        assert hop.status_code == 302 and hop["Location"] == "https://example.com/refer"
    ask.refresh_from_db()
    assert ask.clicks == 2 and ask.clicked_at is not None
    assert client.get(path[:-3] + "xx/").status_code == 404  # tampered
    client.force_login(manager)
    page = client.get("/metrics/relationship/").content.decode()
    assert "Referral" in page and "50.0 %" in page
