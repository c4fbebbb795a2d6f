"""The insight pages and API: who may see what, bad input, CSV, constant query counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from metrics.insights.themes.fitting import recompute_themes
from surveys.models import FollowUp
from tests.conftest import api_client_for
from tests.factories import OrganizationFactory

from .conftest import INSIDE, make_response, make_ticket

pytestmark = pytest.mark.django_db

PAGES = ("metrics:drivers", "metrics:themes", "metrics:revenue_at_risk")
PERIOD = "from=2026-06-01&to=2026-06-07"


def _data(n: int, team=None, organization=None):
    for i in range(n):
        ticket = make_ticket(team=team, reopen_count=i % 2, public_reply_count=1 + i % 3)
        if organization is not None:
            ticket.customer.organization = organization
            ticket.customer.save(update_fields=["organization"])
        response = make_response("nps", (i * 7) % 11, ticket=ticket, team=team,
                                 organization=organization,
                                 comment=("The invoice was wrong" if i % 2 else "Delivery was late"))
        if response.score <= 6:
            FollowUp.objects.create(response=response, ticket=ticket, team=team,
                                    due_at=INSIDE + timedelta(hours=48), created_at=INSIDE)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("persona, status", [("manager", 200), ("admin_user", 200),
                                             ("agent", 403), ("team_lead", 403)])
def test_insight_pages_are_for_managers(page, persona, status, client, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(page), {"from": "2026-06-01", "to": "2026-06-07"}).status_code == status


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_login(page, client):
    assert client.get(reverse(page)).status_code == 302


@pytest.mark.parametrize("page", PAGES)
def test_page_query_count_does_not_grow_with_rows(page, client, manager, team,
                                                  django_assert_max_num_queries):
    organization = OrganizationFactory(annual_revenue=50_000)
    _data(6, team, organization)
    recompute_themes()
    client.force_login(manager)
    url = f"{reverse(page)}?{PERIOD}"
    with django_assert_max_num_queries(40) as first:
        assert client.get(url).status_code == 200
    _data(30, team, organization)
    recompute_themes()
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200


def test_drivers_page_greys_a_small_selection_and_says_why(client, manager):
    make_response("nps", 9)
    client.force_login(manager)
    body = client.get(reverse("metrics:drivers"), {"from": "2026-06-01", "to": "2026-06-07"}).content.decode()
    assert "Fewer than 30 responses in this selection." in body
    assert 'class="too-few"' in body


def test_drivers_page_in_finnish_uses_a_decimal_comma(client, manager, settings):
    settings.HELPDESK_MIN_RESPONSES = 1
    for score in (10, 9, 0):
        make_response("csat", 5 if score else 1, ticket=make_ticket())
    client.force_login(manager)
    body = client.get(reverse("metrics:drivers"), {"from": "2026-06-01", "to": "2026-06-07",
                                                   "metric": "csat"},
                      HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "Keskeiset tekijät" in body and "66,7" in body


def test_drivers_csv_has_a_row_per_level(client, manager):
    _data(4)
    client.force_login(manager)
    response = client.get(reverse("metrics:drivers"), {"from": "2026-06-01", "to": "2026-06-07",
                                                       "metric": "nps", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert {"reopened", "fcr", "channel"} <= {r["factor"] for r in rows}
    reopened = {r["level"]: r for r in rows if r["factor"] == "reopened"}
    assert int(reopened["yes"]["n"]) == 2 and int(reopened["no"]["n"]) == 2


@pytest.mark.parametrize("query, field", [
    ("metric=happiness", "metric"), ("", "metric"), ("metric=nps&factor=weather", "factor"),
    ("metric=nps&colour=red", "colour"), ("metric=nps&channel=pigeon", "channel"),
    ("metric=nps&from=2020-01-01&to=2026-01-01", "from"), ("metric=nps&from=yesterday", "from"),
])
def test_drivers_api_bad_input_is_a_400_naming_the_parameter(query, field, manager):
    response = api_client_for(manager).get(f"/api/v1/metrics/drivers/?{query}")
    assert response.status_code == 400 and field in response.json()


@pytest.mark.parametrize("query, field", [("metric=happiness", "metric"), ("kind=x", "kind"),
                                          ("from=2020-01-01&to=2026-01-01", "from")])
def test_themes_api_bad_input_is_a_400_naming_the_parameter(query, field, manager):
    response = api_client_for(manager).get(f"/api/v1/metrics/themes/?{query}")
    assert response.status_code == 400 and field in response.json()


def test_drivers_api_answers_the_contract_shape(manager, settings):
    settings.HELPDESK_MIN_RESPONSES = 1
    _data(6)
    body = api_client_for(manager).get(f"/api/v1/metrics/drivers/?metric=nps&{PERIOD}"
                                       "&factor=reopened,fcr").json()
    assert {"metric", "n", "score", "drivers"} <= set(body) and body["n"] == 6
    assert {d["factor"] for d in body["drivers"]} == {"reopened", "fcr"}
    assert {"factor", "level", "n", "score", "difference", "ci_low", "ci_high", "gain"} <= set(
        body["drivers"][0])


def test_an_agent_gets_their_own_drivers_and_not_another_agents(agent, other_agent):
    make_response("nps", 10, agent=agent)
    make_response("nps", 0, agent=other_agent)
    client = api_client_for(agent)
    assert client.get(f"/api/v1/metrics/drivers/?metric=nps&{PERIOD}").json()["n"] == 1
    assert client.get(f"/api/v1/metrics/drivers/?metric=nps&{PERIOD}"
                      f"&agent={other_agent.pk}").status_code == 403


@pytest.mark.parametrize("persona, status", [("manager", 200), ("admin_user", 200),
                                             ("agent", 403), (None, 401)])
def test_themes_api_is_for_managers(persona, status, request):
    user = request.getfixturevalue(persona) if persona else None
    assert api_client_for(user).get("/api/v1/metrics/themes/").status_code == status


def test_bad_period_on_a_page_shows_the_error_and_the_default_figures(client, manager):
    client.force_login(manager)
    response = client.get(reverse("metrics:drivers"), {"from": "2026-06-09", "to": "2026-06-01"})
    assert response.status_code == 400
    assert "The start date must not be after the end date." in response.content.decode()
