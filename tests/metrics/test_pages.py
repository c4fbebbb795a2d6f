"""Pages and API of metrics: permissions, agreement between UI and API, query counts."""

import re

import pytest
from django.urls import reverse

from tests.conftest import api_client_for

from .conftest import INSIDE, make_response, make_ticket

pytestmark = pytest.mark.django_db
PERIOD = "from=2026-06-01&to=2026-06-07"
PAGES = ["metrics:dashboard", "metrics:churn", "metrics:digest_preference"]


@pytest.mark.parametrize("name", [*PAGES, "metrics:agent_dashboard", "metrics:responses"])
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_customer_portal_session_is_not_staff(client, customer):
    session = client.session
    session["portal_customer_id"] = customer.pk  # a portal session is not a staff login
    session.save()
    assert client.get(reverse("metrics:dashboard")).status_code == 302


@pytest.mark.parametrize("name", ["metrics:churn", "metrics:digest_preference"])
def test_agents_may_not_open_manager_pages(client, other_agent, name):
    client.force_login(other_agent)
    assert client.get(reverse(name)).status_code == 403


def test_agent_opening_manager_dashboard_goes_to_their_own(client, other_agent):
    client.force_login(other_agent)
    response = client.get(reverse("metrics:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("metrics:agent_dashboard")


@pytest.mark.parametrize("name", PAGES)
def test_manager_opens_every_page(client, manager, name):
    client.force_login(manager)
    assert client.get(reverse(name)).status_code == 200


def test_agent_dashboard_shows_my_scores(client, agent, team):
    make_response("nps", 10, agent=agent, team=team)
    client.force_login(agent)
    response = client.get(reverse("metrics:agent_dashboard") + "?" + PERIOD)
    assert response.status_code == 200
    assert response.context["mine"]["nps"]["n"] == 1
    assert response.context["team_summary"]["nps"]["n"] == 1


def test_agent_sees_only_own_responses_in_the_list(client, other_agent, agent, other_team):
    make_response("nps", 3, agent=agent)
    make_response("nps", 9, agent=other_agent, team=other_team)
    client.force_login(other_agent)
    response = client.get(reverse("metrics:responses") + "?" + PERIOD)
    assert [r.score for r in response.context["page"]] == [9]
    assert client.get(reverse("metrics:responses") + f"?agent={agent.pk}").status_code == 403


def test_dashboard_tile_shows_the_same_nps_as_the_api(client, manager):
    for score in (10, 10, 9, 5):
        make_response("nps", score)
    client.force_login(manager)
    page = client.get(reverse("metrics:dashboard") + "?" + PERIOD)
    api = api_client_for(manager).get("/api/v1/metrics/summary/?" + PERIOD).json()
    tile = next(t for t in page.context["tiles"] if t.key == "nps")
    assert tile.value == api["nps"]["score"] == 50.0
    html = page.content.decode()
    assert re.search(r'data-tile="nps".*?<span class="tile-value">50.0</span>', html, re.S)


def test_dashboard_query_count_does_not_grow_with_rows(client, manager, django_assert_max_num_queries):
    client.force_login(manager)
    make_response("nps", 10)
    with django_assert_max_num_queries(60) as first:
        client.get(reverse("metrics:dashboard") + "?" + PERIOD)
    for channel in ("chat", "phone", "web", "api"):
        for _ in range(3):
            make_response("csat", 4, channel=channel, ticket=make_ticket(channel=channel))
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("metrics:dashboard") + "?" + PERIOD)


def test_export_of_a_table_is_csv_with_the_same_numbers(client, manager):
    make_response("nps", 10, channel="chat")
    client.force_login(manager)
    response = client.get(reverse("metrics:export", args=["channel"]) + "?" + PERIOD)
    lines = response.content.decode().splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert lines[1].startswith("chat,Chat,100.0,1,")


def test_api_summary_has_the_contract_shape(manager):
    data = api_client_for(manager).get("/api/v1/metrics/summary/?" + PERIOD).json()
    assert set(data["nps"]) >= {"score", "n", "promoters", "passives", "detractors",
                                "margin_of_error"}
    assert set(data["first_response"]) >= {"median_seconds", "p90_seconds", "sla_met_pct", "n"}
    for key in ("csat", "ces", "response_rate", "resolution", "fcr_pct", "reopen_pct",
                "tickets_created", "tickets_solved"):
        assert key in data


def test_api_rejects_bad_parameters_naming_the_field(manager):
    client = api_client_for(manager)
    assert "from" in client.get("/api/v1/metrics/summary/?from=yesterday").json()
    assert "channel" in client.get("/api/v1/metrics/summary/?channel=fax").json()
    response = client.get("/api/v1/metrics/breakdown/?by=planet")
    assert response.status_code == 400 and "by" in response.json()


def test_api_anonymous_is_refused():
    assert api_client_for(None).get("/api/v1/metrics/summary/").status_code in (401, 403)


def test_api_agent_gets_own_figures_by_default(agent, other_agent):
    make_response("nps", 10, agent=agent)
    make_response("nps", 0, agent=other_agent)
    data = api_client_for(agent).get("/api/v1/metrics/summary/?" + PERIOD).json()
    assert data["nps"]["n"] == 1 and data["nps"]["score"] == 100.0


def test_api_agent_of_another_team_is_refused_that_team(other_agent, team):
    response = api_client_for(other_agent).get(f"/api/v1/metrics/summary/?team={team.pk}")
    assert response.status_code == 403 and "team" in response.json()


def test_api_agent_may_not_break_their_team_down_by_agent(agent, team):
    response = api_client_for(agent).get(f"/api/v1/metrics/breakdown/?by=agent&team={team.pk}")
    assert response.status_code == 403 and "by" in response.json()


def test_api_breakdown_by_team_rows_match_summary_per_team(manager, team, other_team):
    make_response("nps", 10, team=team)
    make_response("nps", 0, team=other_team)
    client = api_client_for(manager)
    rows = client.get("/api/v1/metrics/breakdown/?by=team&" + PERIOD).json()["results"]
    support = client.get(f"/api/v1/metrics/summary/?team={team.pk}&" + PERIOD).json()
    row = next(r for r in rows if r["key"] == team.pk)
    assert row["nps"] == support["nps"] and row["label"] == "Support"


def test_api_query_count_is_constant(manager, django_assert_max_num_queries):
    client = api_client_for(manager)
    make_ticket(first_response_at=INSIDE, sla={"first_response_business_seconds": 5})
    with django_assert_max_num_queries(12):
        client.get("/api/v1/metrics/breakdown/?by=agent&" + PERIOD)


def test_digest_opt_out_is_stored(client, manager):
    from metrics.models import DigestOptOut

    client.force_login(manager)
    client.post(reverse("metrics:digest_preference"), {})
    assert DigestOptOut.objects.filter(user=manager).exists()
    client.post(reverse("metrics:digest_preference"), {"weekly_digest": "on"})
    assert not DigestOptOut.objects.filter(user=manager).exists()


def test_the_backlog_index_covers_exactly_the_unresolved_statuses():
    from tickets.models import Ticket

    index = next(i for i in Ticket._meta.indexes if i.name == "ticket_unresolved_customer_idx")
    (lookup, statuses), = index.condition.children
    assert lookup == "status__in" and set(statuses) == set(Ticket.UNRESOLVED)
