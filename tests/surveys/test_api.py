import csv
import io
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tests.conftest import api_client_for

from .conftest import make_response

URL = "/api/v1/surveys/responses/"


def test_anonymous_is_refused(db):
    assert api_client_for(None).get(URL).status_code in (401, 403)


def test_agent_sees_only_their_teams_responses(agent, team, other_team):
    mine = make_response(team=team)
    make_response(team=other_team)
    body = api_client_for(agent).get(URL).json()
    assert [row["id"] for row in body["results"]] == [mine.pk]


def test_agent_of_another_team_does_not_see_them(other_agent, team):
    make_response(team=team)
    assert api_client_for(other_agent).get(URL).json()["results"] == []


def test_manager_sees_all(manager, team, other_team):
    make_response(team=team)
    make_response(team=other_team)
    assert api_client_for(manager).get(URL).json()["count"] == 2


def test_response_fields(manager, team, agent):
    response = make_response(team=team, agent=agent, score=4, comment="Fine", channel="chat")
    row = api_client_for(manager).get(URL).json()["results"][0]
    assert row == {
        "id": response.pk, "metric": "csat", "kind": "transactional", "score": 4, "scale_min": 1, "scale_max": 5,
        "comment": "Fine", "ticket": response.ticket_id, "channel": "chat", "agent": agent.pk,
        "team": team.pk, "created_at": row["created_at"],
    }
    assert datetime.fromisoformat(row["created_at"])


@pytest.mark.parametrize("query,expected", [
    ("metric=nps", {"nps-chat"}),
    ("channel=chat", {"nps-chat"}),
    ("team=OTHER", {"csat-old"}),
    ("agent=AGENT", {"csat-email"}),
    ("from=TODAY", {"csat-email", "nps-chat"}),
    ("to=YESTERDAY", {"csat-old"}),
])
def test_filters(manager, team, other_team, agent, query, expected):
    make_response(team=team, agent=agent, comment="csat-email")
    make_response(team=team, metric="nps", score=9, channel="chat", comment="nps-chat")
    make_response(team=other_team, comment="csat-old",
                  created_at=timezone.now() - timedelta(days=3))
    today = timezone.localdate()
    query = (query.replace("OTHER", str(other_team.pk)).replace("AGENT", str(agent.pk))
             .replace("TODAY", today.isoformat())
             .replace("YESTERDAY", (today - timedelta(days=1)).isoformat()))
    rows = api_client_for(manager).get(f"{URL}?{query}").json()["results"]
    assert {row["comment"] for row in rows} == expected


@pytest.mark.parametrize("query,field", [
    ("from=yesterday", "from"), ("metric=stars", "metric"), ("team=x", "team"),
    ("channel=pigeon", "channel"), ("from=2026-02-01&to=2026-01-01", "from"),
])
def test_bad_filter_is_a_400_naming_the_field(manager, query, field):
    page = api_client_for(manager).get(f"{URL}?{query}")
    assert page.status_code == 400 and field in page.json()


def test_paginated(manager, team):
    for _ in range(3):
        make_response(team=team)
    body = api_client_for(manager).get(f"{URL}?page_size=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


@pytest.mark.parametrize("rows", [1, 10])
def test_query_count_does_not_grow_with_rows(manager, team, rows, django_assert_num_queries):
    for _ in range(rows):
        make_response(team=team)
    client = api_client_for(manager)
    with django_assert_num_queries(3):  # token+user, count, page
        assert client.get(URL).status_code == 200


def test_csv_export_through_the_api(manager, team, agent):
    make_response(team=team, agent=agent, score=1, comment="=HYPERLINK(1)")
    page = api_client_for(manager).get(f"{URL}?format=csv")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(page.streaming_content).decode())))
    assert rows[0]["score"] == "1" and rows[0]["agent"] == agent.email
    assert rows[0]["comment"] == "'=HYPERLINK(1)"  # no formula injection


def test_csv_export_page_respects_visibility(client, agent, team, other_team):
    make_response(team=team, comment="mine")
    make_response(team=other_team, comment="theirs")
    client.force_login(agent)
    page = client.get("/surveys/responses.csv")
    body = b"".join(page.streaming_content).decode()
    assert "mine" in body and "theirs" not in body


def test_csv_export_page_needs_login(client, db):
    assert client.get("/surveys/responses.csv").status_code == 302
