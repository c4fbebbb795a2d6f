"""A ticket's thread over the API: reading it with attachments, replying and noting."""

import pytest
from django.core.files.base import ContentFile

from tickets import services
from tickets.models import Attachment, Message


def url(ticket) -> str:
    return f"/api/v1/tickets/{ticket.pk}/messages/"


def test_thread_lists_messages_oldest_first(api, agent, ticket):
    services.reply_to_ticket(ticket=ticket, agent=agent, body="On it.")
    services.add_internal_note(ticket=ticket, agent=agent, body="Call the fire brigade?")
    rows = api.get(url(ticket)).json()["results"]
    assert [r["body"] for r in rows] == ["It is on fire.", "On it.", "Call the fire brigade?"]
    assert [r["author_type"] for r in rows] == ["customer", "agent", "agent"]
    assert [r["public"] for r in rows] == [True, True, False]
    assert rows[1]["author"] == {"id": agent.pk, "name": agent.name, "email": agent.email}


def test_thread_shows_attachments_with_their_url(api, ticket):
    message = ticket.messages.get()
    attachment = Attachment(message=message, filename="log.txt", content_type="text/plain",
                            size=5)
    attachment.file.save("log.txt", ContentFile(b"hello"), save=True)
    row = api.get(url(ticket)).json()["results"][0]
    assert row["attachments"] == [{
        "id": attachment.pk, "filename": "log.txt", "content_type": "text/plain", "size": 5,
        "url": f"http://testserver/api/v1/attachments/{attachment.pk}/",
    }]
    # The URL works with the same token, and serves the file as a download.
    response = api.get(row["attachments"][0]["url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"hello"
    assert response["Content-Disposition"] == 'attachment; filename="log.txt"'


def test_public_reply_is_emailed_and_sets_first_response(api, agent, ticket, customer,
                                                         mailoutbox,
                                                         django_capture_on_commit_callbacks):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url(ticket), {"body": "We are on it."}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["public"] is True
    assert response.json()["author"]["id"] == agent.pk
    assert [m.to for m in mailoutbox] == [[customer.email]]
    assert "We are on it." in mailoutbox[0].body
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None


def test_internal_note_is_not_emailed(api, ticket, mailoutbox,
                                      django_capture_on_commit_callbacks):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url(ticket), {"body": "Internal only", "public": False},
                            format="json")
    assert response.status_code == 201
    assert mailoutbox == []
    ticket.refresh_from_db()
    assert ticket.first_response_at is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"body": "   "}, "body"),
        ({"body": 42, "public": "perhaps"}, "public"),
        ({"body": "x", "author_type": "customer"}, "author_type"),
        ({"body": "x", "cc": "boss@example.com"}, "cc"),
    ],
)
def test_bad_message_input_is_400_naming_the_field(api, ticket, body, field):
    response = api.post(url(ticket), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_reply_to_closed_ticket_is_400(api, agent, ticket):
    services.change_status(ticket=ticket, status="solved", actor=agent)
    services.change_status(ticket=ticket, status="closed", actor=agent)
    response = api.post(url(ticket), {"body": "Hello?"}, format="json")
    assert response.status_code == 400
    assert "ticket" in response.json()


@pytest.mark.parametrize("n", [3, 30])
def test_thread_query_count_does_not_grow_with_messages(api, agent, ticket, n,
                                                        django_assert_num_queries):
    for i in range(n):
        message = services.reply_to_ticket(ticket=ticket, agent=agent, body=f"Reply {i}")
        Attachment.objects.create(message=message, file=f"x/{i}.txt", filename=f"{i}.txt")
    # token, ticket, count, messages, attachments (the user's teams from the process's
    # copy, tickets/directory.py)
    with django_assert_num_queries(5):
        response = api.get(url(ticket))
    assert len(response.json()["results"]) == n + 1
    assert Message.objects.filter(ticket=ticket).count() == n + 1
