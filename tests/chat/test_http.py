"""The widget's start endpoint, the agents' API and the inbox page: status codes,
permissions as a matrix, query counts."""

import json

import pytest

from chat import services
from chat.models import Chat
from tickets.models import Message

from ..conftest import api_client_for
from ..factories import UserFactory
from .conftest import start

pytestmark = pytest.mark.django_db


def post_start(client, data, **extra):
    return client.post("/support/chat/", data=json.dumps(data) if not isinstance(data, str)
                       else data, content_type="application/json", **extra)


def test_start_answers_with_chat_token_and_socket(client, chat_team, agent):
    response = post_start(client, {"name": "Kalle", "email": "kalle@example.com",
                                   "message": "Hi there"})
    assert response.status_code == 201
    body = response.json()
    assert body["ticket"].startswith("HD-")
    assert body["socket"] == f"/ws/chat/{body['token']}/"
    assert Chat.objects.get(pk=body["chat"]).ticket.reference == body["ticket"]


def test_start_without_agents_is_an_email_ticket(client, chat_team):
    response = post_start(client, {"name": "Kalle", "email": "kalle@example.com",
                                   "message": "Anyone?"})
    assert response.status_code == 200
    assert response.json()["offline"] is True
    assert response.json()["ticket"].startswith("HD-")


@pytest.mark.parametrize("payload, field", [
    ("{broken", "body"), ("[]", "body"),
    ({"name": "K", "email": "not-an-email", "message": "x"}, "email"),
    ({"name": "K", "email": "k@example.com", "message": ""}, "message"),
    ({"name": "K", "email": "k@example.com", "message": "x" * 20001}, "message"),
])
def test_bad_start_is_400_naming_the_field(client, chat_team, agent, payload, field):
    response = post_start(client, payload)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_widget_config_says_whether_agents_are_online(client, chat_team, agent):
    body = client.get("/support/chat/").json()
    assert body["online"] is True and body["labels"]["start"]
    assert body["customer"] is None


def test_foreign_origin_may_not_start(client, chat_team, agent, settings):
    settings.HELPDESK_WIDGET_ORIGINS = ["https://shop.example.com"]
    response = post_start(client, {"name": "K", "email": "k@example.com", "message": "x"},
                          HTTP_ORIGIN="https://evil.example.net")
    assert response.status_code == 403


# -- the agents' API: role × action × own/other team ---------------------------------

@pytest.fixture
def people(agent, other_agent, manager, team_lead):
    return {"agent": agent, "other_agent": other_agent, "manager": manager, "lead": team_lead}


@pytest.mark.parametrize("who, sees", [("agent", True), ("lead", True), ("manager", True),
                                       ("other_agent", False)])
def test_chat_list_shows_chats_of_the_users_teams(started, people, who, sees):
    response = api_client_for(people[who]).get("/api/v1/chats/")
    assert response.status_code == 200
    ids = [c["id"] for c in response.json()["results"]]
    assert (started.chat.pk in ids) is sees


@pytest.mark.parametrize("action", ["accept", "messages", "end", "transfer"])
@pytest.mark.parametrize("who, allowed", [("agent", True), ("manager", True),
                                          ("other_agent", False)])
def test_chat_actions_by_role_and_team(started, people, action, who, allowed,
                                       django_capture_on_commit_callbacks):
    data = {"messages": {"body": "Hello"}, "transfer": {"agent": people["lead"].pk}}.get(
        action, {})
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(people[who]).post(f"/api/v1/chats/{started.chat.pk}/{action}/",
                                                    data, format="json")
    assert response.status_code == ((201 if action == "messages" else 200) if allowed else 404)


def test_chat_api_refuses_anonymous_and_customers(started, client):
    assert api_client_for(None).get("/api/v1/chats/").status_code in (401, 403)


def test_agent_message_is_a_ticket_message(started, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(agent).post(f"/api/v1/chats/{started.chat.pk}/messages/",
                                              {"body": "Hi from the API"}, format="json")
    thread = api_client_for(agent).get(f"/api/v1/tickets/{started.chat.ticket_id}/messages/")
    bodies = [m.get("body") or m.get("body_text") for m in thread.json()["results"]] \
        if "results" in thread.json() else [m.get("body") for m in thread.json()]
    assert response.status_code == 201
    assert "Hi from the API" in bodies


@pytest.mark.parametrize("data, field", [({"body": ""}, "body"), ({"body": "x" * 4001}, "body"),
                                         ({"bdy": "typo"}, "bdy")])
def test_bad_agent_message_is_400_naming_the_field(started, agent, data, field):
    response = api_client_for(agent).post(f"/api/v1/chats/{started.chat.pk}/messages/", data,
                                          format="json")
    assert response.status_code == 400 and field in response.json()


def test_bad_status_filter_is_400(started, agent):
    response = api_client_for(agent).get("/api/v1/chats/?status=nonsense")
    assert response.status_code == 400 and "status" in response.json()


def test_transfer_to_an_agent_of_another_team_is_refused(started, agent, other_agent):
    response = api_client_for(agent).post(f"/api/v1/chats/{started.chat.pk}/transfer/",
                                          {"agent": other_agent.pk}, format="json")
    assert response.status_code == 400 and "agent" in response.json()


# -- the inbox page -----------------------------------------------------------------

def test_inbox_page_and_a_chat(client, started, agent):
    client.force_login(agent)
    assert client.get("/chats/").status_code == 200
    page = client.get(f"/chats/{started.chat.pk}/")
    assert page.status_code == 200
    assert b"Hello, my order?" in page.content


def test_inbox_of_another_team_is_404(client, started, other_agent):
    client.force_login(other_agent)
    assert client.get(f"/chats/{started.chat.pk}/").status_code == 404
    assert client.post(f"/chats/{started.chat.pk}/accept/").status_code == 404


def test_inbox_needs_staff(client, started):
    assert client.get("/chats/").status_code == 302


def test_accept_and_end_forms(client, started, agent, django_capture_on_commit_callbacks):
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/chats/{started.chat.pk}/accept/").status_code == 302
        assert client.post(f"/chats/{started.chat.pk}/end/").status_code == 302
    assert Chat.objects.get(pk=started.chat.pk).status == Chat.Status.ENDED


def _many_chats(n, agent):
    for i in range(n):
        result = start(email=f"visitor{i}@example.com", message=f"Question {i}")
        if i % 2:
            services.accept_chat(chat=result.chat, agent=agent)
        Message.objects.create(ticket=result.chat.ticket, author_type="customer",
                               body_text="more", channel="chat")


def test_inbox_query_count_is_constant(client, chat_team, agent, csat_program, settings,
                                       django_assert_max_num_queries):
    settings.HELPDESK_CHAT_CAPACITY = 100
    client.force_login(agent)
    _many_chats(2, agent)
    chat_id = Chat.objects.order_by("pk").first().pk
    with django_assert_max_num_queries(30) as few:
        client.get(f"/chats/{chat_id}/")
    _many_chats(12, agent)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/chats/{chat_id}/")
    with django_assert_max_num_queries(12) as listed:
        client.get("/chats/list/")
    _many_chats(5, agent)
    with django_assert_max_num_queries(len(listed.captured_queries)):
        client.get("/chats/list/")


def test_api_list_query_count_is_constant(chat_team, agent, settings,
                                          django_assert_max_num_queries):
    settings.HELPDESK_CHAT_CAPACITY = 100
    api = api_client_for(agent)
    _many_chats(2, agent)
    with django_assert_max_num_queries(10) as few:
        api.get("/api/v1/chats/")
    _many_chats(10, agent)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get("/api/v1/chats/").json()["results"]) == 12


def test_colleague_sees_but_other_team_does_not(started, agent, team):
    colleague = UserFactory(email="c@helpdesk.test", teams=[team])
    ids = [c["id"] for c in api_client_for(colleague).get("/api/v1/chats/").json()["results"]]
    assert started.chat.pk in ids
