"""What each role may open beyond tickets (tickets themselves: tests/tickets/
test_permission_matrix.py): dashboards, exports, the responses behind a number,
personal settings, the audit log, rules and follow-ups; through pages and the API.
The table is docs/roles.md."""

import pytest
from django.test import Client

from audit.models import Action, AuditEntry
from surveys.models import Response
from tests.conftest import api_client_for

ROLES = ["agent", "manager", "admin_user", "analyst"]
OK, NO, ME = True, False, "me"

# page → role → may open it (ME: an agent is sent to their own dashboard, /metrics/me/).
# "team=own"/"team=other" filter by the agent's team or another team. Agents' exports and
# breakdowns are scoped to their own figures (metrics/access.py), hence OK.
PAGES = {
    "/metrics/": {"agent": ME, "manager": OK, "admin_user": OK, "analyst": OK},
    "/metrics/?team=own": {"agent": ME, "manager": OK, "admin_user": OK, "analyst": OK},
    "/metrics/?team=other": {"agent": ME, "manager": OK, "admin_user": OK, "analyst": OK},
    "/metrics/me/": {"agent": OK, "manager": OK, "admin_user": OK, "analyst": OK},
    "/metrics/export/team.csv": {"agent": OK, "manager": OK, "admin_user": OK, "analyst": OK},
    "/metrics/export/team.csv?team=other": {"agent": NO, "manager": OK, "admin_user": OK,
                                            "analyst": OK},
    "/metrics/responses/": {"agent": OK, "manager": OK, "admin_user": OK, "analyst": OK},
    "/settings/": {"agent": OK, "manager": OK, "admin_user": OK, "analyst": OK},
    "/tickets/new/": {"agent": OK, "manager": OK, "admin_user": OK, "analyst": NO},
    "/surveys/follow-ups/": {"agent": OK, "manager": OK, "admin_user": OK, "analyst": NO},
    "/rules/": {"agent": NO, "manager": OK, "admin_user": OK, "analyst": NO},
    "/audit/": {"agent": NO, "manager": NO, "admin_user": OK, "analyst": NO},
    "/audit/?format=csv": {"agent": NO, "manager": NO, "admin_user": OK, "analyst": NO},
}
API = {
    "/api/v1/metrics/summary/": {"agent": OK, "manager": OK, "admin_user": OK, "analyst": OK},
    "/api/v1/metrics/summary/?team=other": {"agent": NO, "manager": OK, "admin_user": OK,
                                            "analyst": OK},
    "/api/v1/metrics/breakdown/?by=agent&team=own": {"agent": NO, "manager": OK,
                                                     "admin_user": OK, "analyst": OK},
    "/api/v1/surveys/responses/": {"agent": OK, "manager": OK, "admin_user": OK, "analyst": OK},
    "/api/v1/rules/": {"agent": NO, "manager": OK, "admin_user": OK, "analyst": NO},
}


def _url(url: str, team, other_team) -> str:
    return url.replace("team=own", f"team={team.pk}").replace("team=other", f"team={other_team.pk}")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", list(PAGES))
def test_pages(request, role, url, team, other_team):
    client = Client()
    client.force_login(request.getfixturevalue(role))
    response = client.get(_url(url, team, other_team))
    allowed = PAGES[url][role]
    assert response.status_code < 500
    if allowed == ME:
        assert response.status_code == 302 and response["Location"] == "/metrics/me/"
        return
    assert (response.status_code == 200) is allowed, (response.status_code, url, role)
    if not allowed:
        assert response.status_code in (400, 403)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", list(API))
def test_api(request, role, url, team, other_team):
    response = api_client_for(request.getfixturevalue(role)).get(_url(url, team, other_team))
    assert response.status_code < 500
    assert (response.status_code == 200) is API[url][role], (response.status_code, url, role)


def test_analyst_lands_on_the_dashboard_not_the_queue(client, analyst):
    client.force_login(analyst)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/metrics/"


def test_analyst_is_told_why_a_ticket_page_is_closed(client, analyst, ticket):
    client.force_login(analyst)
    response = client.get(f"/tickets/{ticket.pk}/")
    assert response.status_code == 403
    assert "Analysts see figures, not tickets." in response.content.decode()


def test_analyst_gets_no_ticket_content_through_the_api(analyst, ticket):
    api = api_client_for(analyst)
    assert api.get("/api/v1/tickets/").json()["count"] == 0
    assert api.get(f"/api/v1/tickets/{ticket.pk}/messages/").status_code == 404


def _response(ticket, agent, team):
    return Response.objects.create(
        ticket=ticket, customer=ticket.customer, metric="csat", score=2, scale_min=1,
        scale_max=5, comment="Slow answer", channel="email", agent=agent, team=team)


def test_responses_behind_a_number_hide_tickets_from_analysts(client, analyst, manager, ticket,
                                                              agent, team):
    _response(ticket, agent, team)
    client.force_login(analyst)
    page = client.get("/metrics/responses/").content.decode()
    assert "Slow answer" in page and ticket.reference not in page
    csv_rows = client.get("/metrics/responses/?format=csv").content.decode()
    assert "Slow answer" in csv_rows and ticket.reference not in csv_rows
    client.force_login(manager)
    assert ticket.reference in client.get("/metrics/responses/").content.decode()


def test_exports_are_audited(client, analyst):
    client.force_login(analyst)
    client.get("/metrics/export/channel.csv")
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert entry.actor == analyst and entry.detail["export"] == "metrics-channel.csv"


def test_analyst_is_not_assignable(analyst, team, manager):
    from tickets import policy

    assert analyst not in set(policy.assignable_agents(manager))


def test_analyst_manages_their_own_tokens_and_two_factor(client, analyst):
    client.force_login(analyst)
    assert client.get("/settings/two-factor/").status_code == 200
    created = client.post("/settings/api-tokens/", {"name": "BI tool", "scope": "read"})
    assert created.status_code == 200 and b"BI tool" in created.content


def test_survey_responses_api_gives_analysts_no_ticket_ids(analyst, manager, ticket, agent,
                                                          team):
    _response(ticket, agent, team)
    rows = api_client_for(analyst).get("/api/v1/surveys/responses/").json()["results"]
    assert [(r["comment"], r["ticket"]) for r in rows] == [("Slow answer", None)]
    csv_text = b"".join(api_client_for(analyst).get(
        "/api/v1/surveys/responses/?format=csv").streaming_content).decode()
    header, row = csv_text.splitlines()[:2]
    assert row.split(",")[header.split(",").index("ticket")] == ""
    managers = api_client_for(manager).get("/api/v1/surveys/responses/").json()["results"]
    assert managers[0]["ticket"] == ticket.pk
