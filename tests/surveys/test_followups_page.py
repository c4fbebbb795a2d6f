import pytest
from django.urls import reverse

from surveys.models import FollowUp

from .conftest import make_response

URL = "/surveys/follow-ups/"


def test_anonymous_is_sent_to_login(client, db):
    page = client.get(URL)
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_url_name_is_the_followups_queue():
    assert reverse("surveys:followups") == URL


def test_agent_sees_own_teams_follow_ups_only(client, agent, team, other_team):
    make_response(team=team, comment="mine", follow_up=True)
    make_response(team=other_team, comment="theirs", follow_up=True)
    client.force_login(agent)
    page = client.get(URL)
    assert page.status_code == 200
    assert b"mine" in page.content and b"theirs" not in page.content


def test_agent_of_another_team_sees_none(client, other_agent, team):
    make_response(team=team, comment="mine", follow_up=True)
    client.force_login(other_agent)
    assert b"mine" not in client.get(URL).content


def test_manager_sees_all(client, manager, team, other_team):
    make_response(team=team, comment="mine", follow_up=True)
    make_response(team=other_team, comment="theirs", follow_up=True)
    client.force_login(manager)
    content = client.get(URL).content
    assert b"mine" in content and b"theirs" in content


def test_closed_tab_lists_closed_follow_ups(client, manager, team):
    make_response(team=team, comment="done", follow_up=True)
    FollowUp.objects.update(status="closed", outcome="resolved")
    client.force_login(manager)
    assert b"done" not in client.get(URL).content
    assert b"done" in client.get(URL + "?status=closed").content


@pytest.mark.parametrize("rows", [1, 12])
def test_query_count_does_not_grow_with_rows(client, manager, team, agent, rows,
                                             django_assert_num_queries):
    for _ in range(rows):
        make_response(team=team, agent=agent, follow_up=True)
    client.force_login(manager)
    # user, count, page of follow-ups (the session from the cache)
    with django_assert_num_queries(3):
        assert client.get(URL).status_code == 200


def test_agent_closes_a_follow_up_with_outcome_and_note(client, agent, team):
    make_response(team=team, follow_up=True)
    follow_up = FollowUp.objects.get()
    client.force_login(agent)
    page = client.post(f"/surveys/follow-ups/{follow_up.pk}/close/",
                       {"outcome": "called_back", "note": "Sorted it out"})
    assert page.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.outcome, follow_up.note, follow_up.closed_by) == (
        "closed", "called_back", "Sorted it out", agent)


def test_agent_of_another_team_cannot_close(client, other_agent, team):
    make_response(team=team, follow_up=True)
    follow_up = FollowUp.objects.get()
    client.force_login(other_agent)
    page = client.post(f"/surveys/follow-ups/{follow_up.pk}/close/", {"outcome": "resolved"})
    assert page.status_code == 404
    assert FollowUp.objects.get().status == "open"


def test_close_needs_post(client, agent, team):
    make_response(team=team, follow_up=True)
    client.force_login(agent)
    assert client.get(f"/surveys/follow-ups/{FollowUp.objects.get().pk}/close/").status_code == 405
