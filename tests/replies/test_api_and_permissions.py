"""The API's replies with files and copies, forwards, and who may do any of it: a matrix
of roles × actions × own/other team across the ticket page and the API."""

import pytest
from django.urls import reverse

from tickets.models import Attachment, SideConversation

from ..conftest import api_client_for
from ..factories import CustomerFactory
from .conftest import PNG, upload


def messages_url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.pk}/messages/"


def test_api_reply_with_files_and_copies(api, ticket, send, mailoutbox):
    response = send(api.post, messages_url(ticket), {
        "body": "Two files", "cc": ["boss@example.com"], "bcc": ["audit@example.com"],
        "attachments": [upload("a.txt"), upload("b.png", PNG, "image/png")]}, format="multipart")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert [a["filename"] for a in data["attachments"]] == ["a.txt", "b.png"]
    assert data["cc"] == ["boss@example.com"] and data["bcc"] == ["audit@example.com"]
    [mail] = mailoutbox
    assert [a.filename for a in mail.attachments] == ["a.txt", "b.png"]
    assert mail.cc == ["boss@example.com"]


def test_api_json_reply_without_cc_keeps_the_tickets_copies(api, ticket, send, mailoutbox):
    send(api.post, messages_url(ticket), {"body": "one", "cc": ["boss@example.com"]},
         format="json")
    send(api.post, messages_url(ticket), {"body": "two"}, format="json")
    assert mailoutbox[0].cc == ["boss@example.com"]
    send(api.post, messages_url(ticket), {"body": "three", "cc": []}, format="json")
    assert mailoutbox[0].cc == []


def test_api_oversize_file_is_a_400_naming_attachments_and_the_file(api, ticket, settings):
    settings.HELPDESK_MAX_ATTACHMENT_BYTES = 5
    response = api.post(messages_url(ticket), {"body": "x", "attachments": [upload("big.bin.txt", b"123456")]},
                        format="multipart")
    assert response.status_code == 400
    assert "big.bin.txt" in response.json()["attachments"][0]
    assert not Attachment.objects.exists()


def test_api_program_is_a_400_naming_attachments(api, ticket):
    response = api.post(messages_url(ticket), {"body": "x", "attachments": [upload("tool.exe", b"MZ")]},
                        format="multipart")
    assert response.status_code == 400
    assert "tool.exe" in response.json()["attachments"][0]


def test_api_invalid_cc_is_a_400_naming_cc_and_the_address(api, ticket):
    response = api.post(messages_url(ticket), {"body": "x", "cc": ["ok@example.com", "bad@"]},
                        format="json")
    assert response.status_code == 400
    assert "bad@" in response.json()["cc"][0]


def test_api_forward_and_list(api, ticket, send, mailoutbox):
    url = f"/api/v1/tickets/{ticket.pk}/forward/"
    response = send(api.post, url, {"to": "vendor@supplier.test", "body": "Please check"},
                    format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["to"] == "vendor@supplier.test"
    assert mailoutbox[0].to == ["vendor@supplier.test"]
    assert [row["token"] for row in api.get(url).json()] == [response.json()["token"]]
    bad = api.post(url, {"to": "nobody"}, format="json")
    assert bad.status_code == 400 and "to" in bad.json()


def test_openapi_documents_files_copies_and_forward(api):
    schema = api.get("/api/schema/?format=json").json()
    post = schema["paths"]["/api/v1/tickets/{id}/messages/"]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
    props = schema["components"]["schemas"]["MessageCreateRequest"]["properties"]
    assert props["attachments"]["items"]["format"] == "binary"
    assert {"cc", "bcc"} <= set(props)
    assert "/api/v1/tickets/{id}/forward/" in schema["paths"]


# -- the matrix ----------------------------------------------------------------------

ACTIONS = ("attach", "cc", "forward")


def _ui(client, ticket, action):
    if action == "forward":
        return client.post(reverse("tickets:forward", args=[ticket.pk]), {"to": "v@supplier.test"})
    data = {"body": "hello", "kind": "reply"}
    if action == "attach":
        data["attachments"] = [upload("a.txt")]
    else:
        data["cc"] = "boss@example.com"
    return client.post(reverse("tickets:reply", args=[ticket.pk]), data)


def _api(client, ticket, action):
    if action == "forward":
        return client.post(f"/api/v1/tickets/{ticket.pk}/forward/", {"to": "v@supplier.test"},
                           format="json")
    if action == "attach":
        return client.post(messages_url(ticket), {"body": "hi", "attachments": [upload("a.txt")]},
                           format="multipart")
    return client.post(messages_url(ticket), {"body": "hi", "cc": ["boss@example.com"]},
                       format="json")


@pytest.fixture
def people(agent, team_lead, other_agent, manager, admin_user):
    return {"agent": agent, "team_lead": team_lead, "other_agent": other_agent,
            "manager": manager, "admin": admin_user, "anonymous": None}


# Own team: the ticket is in the agent's team. Other team: in a team of which only
# other_agent is a member. Agents of another team do not see the ticket at all (404).
EXPECTED = {
    ("agent", "own"): True, ("agent", "other"): False,
    ("team_lead", "own"): True, ("team_lead", "other"): False,
    ("other_agent", "own"): False, ("other_agent", "other"): True,
    ("manager", "own"): True, ("manager", "other"): True,
    ("admin", "own"): True, ("admin", "other"): True,
    ("anonymous", "own"): False, ("anonymous", "other"): False,
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(("role", "where"), sorted(EXPECTED))
def test_permission_matrix_ui_and_api(client, people, team, other_team, role, where, action):
    from tickets import services

    customer = CustomerFactory()
    ticket = services.create_ticket(services.NewTicket(
        subject="Matrix", body="b", customer=customer, channel="email",
        team=team if where == "own" else other_team
    ))
    user = people[role]
    if user is not None:
        client.force_login(user)
    allowed = EXPECTED[(role, where)]
    ui = _ui(client, ticket, action)
    api = _api(api_client_for(user), ticket, action)
    if allowed:
        assert ui.status_code == 302, ui.content[:300]
        assert api.status_code == 201, api.json()
    else:
        assert ui.status_code in (302, 404) and (ui.status_code == 404 or "/login" in ui["Location"])
        assert api.status_code in (401, 403, 404)
    made = SideConversation.objects.filter(ticket=ticket).count() if action == "forward" else (
        ticket.messages.filter(author_type="agent").count())
    assert made == (2 if allowed else 0)


def test_a_customer_session_cannot_reply_as_staff(client, ticket, customer):
    from tickets.portal import auth

    session = client.session
    session[auth.CUSTOMER_KEY] = customer.pk
    session.save()
    response = _ui(client, ticket, "attach")
    assert response.status_code == 302 and "/login" in response["Location"]
