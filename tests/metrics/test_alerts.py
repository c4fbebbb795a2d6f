"""Alerts above the noise: fire exactly when the dashboard's test says the change is
larger than the noise and both windows have the minimum n; once a day; email + in-app."""

from datetime import timedelta

import pytest
from django.utils import timezone

from helpdesk.models import OutboundEmail
from metrics import stats
from metrics.alert_models import Alert, AlertSubscription
from metrics.alerts import evaluate_alerts
from surveys.models import Response
from tests.conftest import api_client_for
from tests.factories import CustomerFactory, TicketFactory

NOW = timezone.now()
N = 100  # answers in each window, above the minimum n of 30


def _answers(team, scores, days_ago: float):
    customer = CustomerFactory()
    ticket = TicketFactory(team=team, customer=customer)
    Response.objects.bulk_create([
        Response(metric="nps", scale_min=0, scale_max=10, score=s, ticket=ticket,
                 customer=customer, channel="email", team=team,
                 created_at=NOW - timedelta(days=days_ago)) for s in scores])


def _windows(team, shift: int, *, previous=(50, 20)):
    """Previous window: 50 promoters, 20 detractors of 100; current: ``shift`` promoters
    fewer and as many detractors more (a negative shift is a rise)."""
    pro, det = previous
    _answers(team, [10] * pro + [0] * det + [8] * (N - pro - det), days_ago=40)
    _answers(team, [10] * (pro - shift) + [0] * (det + shift) + [8] * (N - pro - det),
             days_ago=3)


def _boundary() -> int:
    """The smallest shift whose change the dashboard's test calls larger than the noise."""
    for k in range(0, 40):
        if stats.compare_nps((50 - k, 20 + k, N), (50, 20, N)).significant:
            return k
    raise AssertionError("no boundary in range")


@pytest.fixture
def subscription(manager, team):
    return AlertSubscription.objects.create(user=manager, metric="nps", subject="team",
                                            subject_key=str(team.pk), window_days=28)


def test_just_above_the_noise_fires(subscription, team, manager):
    k = _boundary()
    _windows(team, k)
    assert evaluate_alerts(now=NOW) == 1
    alert = Alert.objects.get(user=manager)
    assert alert.p_value < 0.05 and "fell" in alert.message and "Support" in alert.message
    assert OutboundEmail.objects.filter(kind="metrics_alert", to=manager.email).count() == 1


def test_just_below_the_noise_does_not_fire(subscription, team):
    k = _boundary() - 1
    assert stats.compare_nps((50 - k, 20 + k, N), (50, 20, N)).p_value >= 0.05
    _windows(team, k)
    assert evaluate_alerts(now=NOW) == 0
    assert not Alert.objects.exists()


def test_no_alert_when_a_window_is_under_the_minimum_n(subscription, team, settings):
    settings.HELPDESK_MIN_RESPONSES = N + 1
    _windows(team, 25)
    assert evaluate_alerts(now=NOW) == 0


def test_at_most_one_alert_per_subject_a_day(subscription, team):
    _windows(team, 25)
    assert evaluate_alerts(now=NOW) == 1
    assert evaluate_alerts(now=NOW + timedelta(minutes=1)) == 0
    assert Alert.objects.count() == 1


def test_a_rise_fires_only_for_subscribers_of_both_directions(subscription, team):
    _windows(team, -25)
    assert evaluate_alerts(now=NOW) == 0
    subscription.direction = "any"
    subscription.save()
    assert evaluate_alerts(now=NOW) == 1


def test_api_refuses_a_subject_that_does_not_exist(manager):
    api = api_client_for(manager)
    response = api.post("/api/v1/metrics/alerts/subscriptions/",
                        {"metric": "nps", "subject": "team", "subject_key": "9999"}, format="json")
    assert response.status_code == 400
    assert "9999" in response.json()["subject_key"][0]
    channel = api.post("/api/v1/metrics/alerts/subscriptions/",
                       {"metric": "nps", "subject": "channel", "subject_key": "pigeon"},
                       format="json")
    assert channel.status_code == 400 and "pigeon" in channel.json()["subject_key"][0]


def test_api_subscribes_and_lists_alerts(manager, team):
    api = api_client_for(manager)
    created = api.post("/api/v1/metrics/alerts/subscriptions/",
                       {"metric": "csat", "subject": "team", "subject_key": str(team.pk)},
                       format="json")
    assert created.status_code == 201 and created.json()["window_days"] == 28
    assert api.get("/api/v1/metrics/alerts/").json()["count"] == 0


@pytest.mark.parametrize("persona,status", [("agent", 403), ("manager", 200)])
def test_only_managers_use_alerts(request, persona, status, client):
    user = request.getfixturevalue(persona)
    assert api_client_for(user).get("/api/v1/metrics/alerts/").status_code == status
    client.force_login(user)
    assert client.get("/metrics/alerts/").status_code == (403 if status == 403 else 200)


def test_alerts_page_lists_alerts_and_marks_them_read(subscription, team, manager, client,
                                                       django_assert_max_num_queries):
    _windows(team, 25)
    evaluate_alerts(now=NOW)
    client.force_login(manager)
    assert '<span class="badge danger">1</span>' in client.get(
        "/metrics/alerts/badge/").content.decode()
    with django_assert_max_num_queries(12):
        page = client.get("/metrics/alerts/").content.decode()
    assert "fell" in page
    assert not Alert.objects.filter(read_at=None).exists()


def test_alerts_form_shows_the_missing_subject_inline(manager, client):
    client.force_login(manager)
    page = client.post("/metrics/alerts/", {"metric": "nps", "subject": "agent",
                                            "subject_key": "777", "direction": "fall",
                                            "window_days": 28})
    assert page.status_code == 400 and "777" in page.content.decode()
    assert 'value="777"' in page.content.decode()
