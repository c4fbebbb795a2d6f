"""Revenue at risk and the renewal report, against a recomputation from the raw rows;
recording a renewal outcome (service, API, page) and who may."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics import stats
from metrics.filters import MetricFilters
from metrics.insights import revenue
from surveys.models import FollowUp
from surveys.services.renewals import record_renewal
from tests.conftest import api_client_for
from tests.factories import OrganizationFactory

from .conftest import END, INSIDE, START, make_response, make_ticket

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _org(name, *, revenue_eur, active_since, churned_at=None):
    return OrganizationFactory(name=name, annual_revenue=revenue_eur, active_since=active_since,
                               churned_at=churned_at)


def _answer(org, score, *, at, follow_up=None, **follow_up_fields):
    ticket = make_ticket()
    ticket.customer.organization = org
    ticket.customer.save(update_fields=["organization"])
    response = make_response("nps", score, ticket=ticket, organization=org, created_at=at)
    if follow_up:
        return FollowUp.objects.create(response=response, ticket=ticket, **follow_up_fields)
    return response


def test_open_follow_ups_are_ranked_by_revenue_times_the_churn_rate_of_their_category():
    year_ago, recent = TODAY - timedelta(days=400), timezone.now() - timedelta(days=30)
    # Observed last year: detractors 2 of 4 churned (50 %), promoters 0 of 2.
    for i in range(4):
        org = _org(f"D{i}", revenue_eur=1000, active_since=year_ago,
                   churned_at=TODAY - timedelta(days=10) if i < 2 else None)
        _answer(org, 3, at=recent)
    for i in range(2):
        _answer(_org(f"P{i}", revenue_eur=1000, active_since=year_ago), 10, at=recent)
    big = _org("Big detractor", revenue_eur=400_000, active_since=year_ago)
    small = _org("Small detractor", revenue_eur=20_000, active_since=year_ago)
    fan = _org("Big promoter", revenue_eur=900_000, active_since=year_ago)
    for org, score in ((small, 2), (big, 4), (fan, 10)):
        _answer(org, score, at=recent, follow_up=True, due_at=timezone.now() + timedelta(days=1))
    rates = revenue.churn_rates(TODAY)
    assert rates["detractor"] == pytest.approx(2 / 6)  # D0-D3, big, small: 2 churned of 6
    assert rates["promoter"] == 0.0
    f = MetricFilters(START, END)
    rows = list(revenue.open_follow_ups(f, today=TODAY, rates=rates))
    assert [r.response.organization.name for r in rows] == [
        "Big detractor", "Small detractor", "Big promoter"]
    assert rows[0].at_risk == pytest.approx(400_000 * 2 / 6)
    assert rows[2].at_risk == 0.0
    assert revenue.total_at_risk(f, today=TODAY, rates=rates) == pytest.approx(420_000 * 2 / 6)


def test_renewal_report_compares_loops_closed_in_time_with_overdue_ones(manager):
    now = timezone.now()
    outcomes = {"in_time": [("renewed", 9), ("churned", 1)], "overdue": [("renewed", 4), ("churned", 6)]}
    for group, pairs in outcomes.items():
        for outcome, count in pairs:
            for i in range(count):
                org = _org(f"{group}-{outcome}-{i}", revenue_eur=1, active_since=date(2020, 1, 1))
                closed = INSIDE + timedelta(hours=10 if group == "in_time" else 80)
                fu = _answer(org, 2, at=INSIDE, follow_up=True, created_at=INSIDE,
                             due_at=INSIDE + timedelta(hours=48), closed_at=closed,
                             status=FollowUp.Status.CLOSED)
                record_renewal(follow_up=fu, outcome=outcome, user=manager)
    # An older follow-up of the same organization with another outcome does not count twice.
    org = _org("twice", revenue_eur=1, active_since=date(2020, 1, 1))
    for hours, outcome in ((0, "churned"), (5, "renewed")):
        fu = _answer(org, 2, at=INSIDE, follow_up=True, created_at=INSIDE + timedelta(hours=hours),
                     due_at=now + timedelta(days=1))
        record_renewal(follow_up=fu, outcome=outcome, user=manager)  # open, not due: pending
    report = revenue.renewal_report(MetricFilters(START, END), now=now)
    assert (report["in_time"]["organizations"], report["in_time"]["renewed"]) == (10, 9)
    assert (report["overdue"]["organizations"], report["overdue"]["renewed"]) == (10, 4)
    low, high = stats.wilson_interval(9, 10)
    assert (report["in_time"]["ci_low"], report["in_time"]["ci_high"]) == (round(low, 1), round(high, 1))
    d, dl, dh = stats.newcombe_interval((9, 10), (4, 10))
    assert report["difference"] == 50.0 and (report["ci_low"], report["ci_high"]) == (round(dl, 1), round(dh, 1))
    assert report["too_few"]  # 10 per group, under the minimum of 30


def test_newcombe_interval_matches_the_published_example():
    # Newcombe (1998), table II, example (a): 56/70 − 48/80, method 10: 0.0524 to 0.3339.
    d, low, high = stats.newcombe_interval((56, 70), (48, 80))
    assert d == pytest.approx(20.0)
    assert low == pytest.approx(5.24, abs=0.01) and high == pytest.approx(33.39, abs=0.01)


@pytest.mark.parametrize("persona, status", [("manager", 200), ("admin_user", 200),
                                             ("team_lead", 403), ("agent", 403),
                                             ("other_agent", 404), (None, 401)])
def test_renewal_api_is_for_managers(persona, status, request, team):
    fu = _answer(_org("O", revenue_eur=1, active_since=date(2020, 1, 1)), 1, at=INSIDE,
                 follow_up=True, team=team, due_at=INSIDE)
    user = request.getfixturevalue(persona) if persona else None
    response = api_client_for(user).post(f"/api/v1/surveys/follow-ups/{fu.pk}/renewal/",
                                         {"outcome": "renewed"}, format="json")
    assert response.status_code == status
    fu.refresh_from_db()
    assert fu.renewal == ("renewed" if status == 200 else "")


def test_renewal_api_refuses_an_unknown_outcome_naming_it(manager):
    fu = _answer(_org("O", revenue_eur=1, active_since=date(2020, 1, 1)), 1, at=INSIDE,
                 follow_up=True, due_at=INSIDE)
    response = api_client_for(manager).post(f"/api/v1/surveys/follow-ups/{fu.pk}/renewal/",
                                            {"outcome": "maybe"}, format="json")
    assert response.status_code == 400 and "outcome" in response.json()


@pytest.mark.parametrize("persona, status", [("manager", 302), ("agent", 403)])
def test_renewal_form_on_the_page_records_it(persona, status, client, request, team):
    fu = _answer(_org("O", revenue_eur=1, active_since=date(2020, 1, 1)), 1, at=INSIDE,
                 follow_up=True, team=team, due_at=INSIDE)
    client.force_login(request.getfixturevalue(persona))
    back = reverse("metrics:revenue_at_risk") + "?days=30"
    response = client.post(reverse("surveys:follow_up_renewal", args=[fu.pk]),
                           {"outcome": "churned", "next": back})
    assert response.status_code == status
    fu.refresh_from_db()
    if status == 302:
        assert response["Location"] == back and fu.renewal == "churned" and fu.renewal_recorded_at
    else:
        assert fu.renewal == ""


def test_renewal_form_does_not_redirect_off_site(client, manager):
    fu = _answer(_org("O", revenue_eur=1, active_since=date(2020, 1, 1)), 1, at=INSIDE,
                 follow_up=True, due_at=INSIDE)
    client.force_login(manager)
    response = client.post(reverse("surveys:follow_up_renewal", args=[fu.pk]),
                           {"outcome": "renewed", "next": "https://evil.example/"})
    assert response["Location"] == reverse("metrics:revenue_at_risk")
