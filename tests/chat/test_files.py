"""Files in a live chat: the visitor's and the agent's upload over HTTP (real views, real
storage under the test MEDIA_ROOT), the announcement on both sockets, downloads only
for the token's own chat or by the ticket permission, and every refusal a clear 4xx."""

import pytest
from channels.db import database_sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from chat import services
from chat.tokens import make_token
from tickets.models import Attachment, Message

from ..factories import UserFactory
from .conftest import agent_socket, frames_until, start, visitor_socket

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


def png(name="screen.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def text_file(name="notes.txt", data=b"order 1234\n"):
    return SimpleUploadedFile(name, data, content_type="text/plain")


def upload_url(token):
    return reverse("chat:visitor_upload", kwargs={"token": token})


def file_url(token, pk):
    return reverse("chat:visitor_file", kwargs={"token": token, "pk": pk})


def post_files(client, token, *files, **data):
    return client.post(upload_url(token), {"attachments": list(files), **data})


@pytest.mark.django_db
class TestVisitorUpload:
    def test_files_become_attachments_of_a_new_message(self, client, started, settings):
        token = make_token(started.chat.pk)
        response = post_files(client, token, png(), text_file(), body="Here you go")
        assert response.status_code == 201
        message = Message.objects.get(pk=response.json()["message"])
        assert message.ticket_id == started.chat.ticket_id
        assert message.author_type == "customer" and message.public
        assert message.body_text == "Here you go"
        stored = {a.filename: a for a in message.attachments.all()}
        assert set(stored) == {"screen.png", "notes.txt"}
        assert sorted(response.json()["files"]) == sorted(a.pk for a in stored.values())
        on_disk = stored["screen.png"].file.path
        assert on_disk.startswith(str(settings.MEDIA_ROOT))
        with open(on_disk, "rb") as handle:
            assert handle.read() == PNG
        assert stored["notes.txt"].size == len(b"order 1234\n")

    def test_files_without_text_are_captioned_with_their_names(self, client, started):
        response = post_files(client, make_token(started.chat.pk), png("a.png"), png("b.png"))
        assert response.status_code == 201
        assert Message.objects.get(pk=response.json()["message"]).body_text == "a.png, b.png"

    def test_upload_query_count_is_pinned(self, client, started, django_assert_num_queries):
        token = make_token(started.chat.pk)
        post_files(client, token, png())  # warm up (content types, throttle table)
        # The same on PostgreSQL: the ticket's search vector is written in the ticket's one
        # UPDATE (tickets/search.py, save_refreshed), not by a second one.
        with django_assert_num_queries(15):
            assert post_files(client, token, png()).status_code == 201
        # One more file is one more row, nothing else.
        with django_assert_num_queries(16):
            assert post_files(client, token, png(), png("b.png")).status_code == 201

    def test_over_the_size_limit_is_a_400_naming_the_file(self, client, started, settings):
        settings.HELPDESK_MAX_ATTACHMENT_BYTES = 10
        before = Message.objects.count()
        response = post_files(client, make_token(started.chat.pk), text_file("big.txt", b"x" * 11))
        assert response.status_code == 400
        error = response.json()["errors"]["attachments"][0]
        assert "big.txt" in error and "limit" in error
        assert Message.objects.count() == before and not Attachment.objects.exists()

    def test_request_larger_than_all_files_may_be_is_413(self, client, started, settings):
        settings.HELPDESK_MAX_REPLY_ATTACHMENT_BYTES = 10
        response = post_files(client, make_token(started.chat.pk),
                              text_file("big.txt", b"x" * 100_000))
        assert response.status_code == 413
        assert "limit" in response.json()["errors"]["attachments"][0]
        assert not Attachment.objects.exists()

    @pytest.mark.parametrize("upload", [
        SimpleUploadedFile("setup.exe", b"hello", content_type="application/octet-stream"),
        SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00rest", content_type="application/pdf"),
    ])
    def test_programs_are_refused(self, client, started, upload):
        response = post_files(client, make_token(started.chat.pk), upload)
        assert response.status_code == 400
        assert "program" in response.json()["errors"]["attachments"][0]
        assert not Attachment.objects.exists()

    def test_no_file_is_a_400(self, client, started):
        response = client.post(upload_url(make_token(started.chat.pk)), {"body": "x"})
        assert response.status_code == 400
        assert "attachments" in response.json()["errors"]

    def test_forged_and_expired_tokens_are_403(self, client, started, settings):
        token = make_token(started.chat.pk)
        forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
        response = post_files(client, forged, png())
        assert response.status_code == 403 and response.json()["code"] == "forged"
        settings.HELPDESK_CHAT_TOKEN_MAX_AGE = -1
        response = post_files(client, token, png())
        assert response.status_code == 403 and response.json()["code"] == "expired"
        assert not Attachment.objects.exists()

    def test_ended_chat_takes_no_files(self, client, started, agent):
        services.accept_chat(chat=started.chat, agent=agent)
        services.end_chat(chat=started.chat, actor=agent)
        response = post_files(client, make_token(started.chat.pk), png())
        assert response.status_code == 400 and "chat" in response.json()["errors"]
        assert not Attachment.objects.exists()

    def test_foreign_origin_is_refused(self, client, started, settings):
        settings.HELPDESK_WIDGET_ORIGINS = ["https://shop.example.com"]
        response = client.post(upload_url(make_token(started.chat.pk)),
                               {"attachments": [png()]}, headers={"origin": "https://evil.test"})
        assert response.status_code == 403
        allowed = client.post(upload_url(make_token(started.chat.pk)), {"attachments": [png()]},
                              headers={"origin": "https://shop.example.com"})
        assert allowed.status_code == 201
        assert allowed["Access-Control-Allow-Origin"] == "https://shop.example.com"

    def test_get_is_405(self, client, started):
        assert client.get(upload_url(make_token(started.chat.pk))).status_code == 405


@pytest.mark.django_db
class TestVisitorDownload:
    def test_own_files_download_safely(self, client, started):
        token = make_token(started.chat.pk)
        ids = post_files(client, token, png(), text_file(), SimpleUploadedFile(
            "page.html", b"<script>alert(1)</script>", content_type="text/html")).json()["files"]
        by_name = {a.filename: a.pk for a in Attachment.objects.filter(pk__in=ids)}
        image = client.get(file_url(token, by_name["screen.png"]))
        assert image.status_code == 200 and image["Content-Type"] == "image/png"
        assert b"".join(image.streaming_content) == PNG
        page = client.get(file_url(token, by_name["page.html"]))
        assert page["Content-Type"] == "application/octet-stream"
        assert page["Content-Disposition"].startswith("attachment;")
        assert page["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in page["Content-Security-Policy"]

    def test_another_chats_file_is_404(self, client, started, agent):
        token = make_token(started.chat.pk)
        mine = post_files(client, token, png()).json()["files"][0]
        other = start(email="someone@example.com", message="Other chat").chat
        response = client.get(file_url(make_token(other.pk), mine))
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        assert b"PNG" not in response.content

    def test_internal_note_files_are_not_the_visitors(self, client, started, agent):
        from tickets.services.compose import send_reply

        note = send_reply(ticket=started.chat.ticket, agent=agent, body="internal",
                          public=False, files=[png("secret.png")])
        secret = note.attachments.get().pk
        response = client.get(file_url(make_token(started.chat.pk), secret))
        assert response.status_code == 404

    def test_forged_token_cannot_download(self, client, started):
        token = make_token(started.chat.pk)
        mine = post_files(client, token, png()).json()["files"][0]
        forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
        assert client.get(file_url(forged, mine)).status_code == 403


@pytest.mark.django_db
class TestAgentUpload:
    def url(self, chat):
        return reverse("chat:upload", kwargs={"pk": chat.pk})

    def test_agent_sends_files_and_downloads_by_ticket_permission(self, client, started, agent):
        client.force_login(agent)
        response = client.post(self.url(started.chat), {"attachments": [png(), text_file()]})
        assert response.status_code == 201
        message = Message.objects.get(pk=response.json()["message"])
        assert message.author_type == "agent" and message.author_user == agent
        assert message.body_text == "screen.png, notes.txt"
        started.chat.refresh_from_db()
        assert started.chat.status == "active"  # writing into a waiting chat accepts it
        started.chat.ticket.refresh_from_db()
        assert started.chat.ticket.first_response_at == message.created_at
        pk = response.json()["files"][0]
        download = client.get(reverse("tickets:attachment", args=[pk]))
        assert download.status_code == 200

    def test_other_team_agent_sees_neither_chat_nor_files(self, client, started, agent):
        from tickets.models import Team

        stranger = UserFactory(email="x@helpdesk.test", teams=[Team.objects.create(name="Other")])
        client.force_login(agent)
        pk = client.post(self.url(started.chat), {"attachments": [png()]}).json()["files"][0]
        client.force_login(stranger)
        assert client.post(self.url(started.chat), {"attachments": [png()]}).status_code == 404
        assert client.get(reverse("tickets:attachment", args=[pk])).status_code == 404
        assert Attachment.objects.count() == 1

    def test_anonymous_and_customers_cannot_upload(self, client, started):
        response = client.post(self.url(started.chat), {"attachments": [png()]})
        assert response.status_code in (302, 403)
        assert not Attachment.objects.exists()

    def test_csrf_is_enforced(self, started, agent):
        client = Client(enforce_csrf_checks=True)
        client.force_login(agent)
        response = client.post(self.url(started.chat), {"attachments": [png()]})
        assert response.status_code == 403
        assert not Attachment.objects.exists()

    def test_bad_files_are_400(self, client, started, agent, settings):
        client.force_login(agent)
        settings.HELPDESK_MAX_REPLY_FILES = 1
        response = client.post(self.url(started.chat), {"attachments": [png(), png("b.png")]})
        assert response.status_code == 400 and "attachments" in response.json()["errors"]
        response = client.post(self.url(started.chat), {"attachments": [
            SimpleUploadedFile("run.sh", b"#!/bin/sh", content_type="text/x-sh")]})
        assert response.status_code == 400
        assert not Attachment.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_files_are_announced_on_both_sockets_and_on_reconnect(chat_team, agent):
    chat = (await database_sync_to_async(start)()).chat
    token = make_token(chat.pk)
    visitor = await visitor_socket(token)
    await frames_until(visitor, "message")  # the first message
    desk = await agent_socket(agent)
    await frames_until(desk, "hello")
    await desk.send_json_to({"type": "subscribe", "chat": chat.pk})
    await frames_until(desk, "subscribed")

    def visitor_uploads():
        return post_files(Client(), token, png(), text_file()).json()

    sent = await database_sync_to_async(visitor_uploads)()
    seen = await frames_until(desk, "message", author="visitor")
    assert seen["id"] == sent["message"] and seen["body"] == ""
    assert [(f["name"], f["type"], f["image"]) for f in seen["files"]] == [
        ("screen.png", "image/png", True), ("notes.txt", "text/plain", False)]
    assert seen["files"][0]["size"] == len(PNG)
    assert seen["files"][0]["url"] == reverse("tickets:attachment", args=[sent["files"][0]])
    echoed = await frames_until(visitor, "message", author="visitor")
    assert echoed["files"][1]["url"] == file_url(token, sent["files"][1])

    def agent_uploads():
        client = Client()
        client.force_login(agent)
        return client.post(reverse("chat:upload", kwargs={"pk": chat.pk}),
                           {"attachments": [png("fix.png")], "body": "Try this"}).json()

    reply = await database_sync_to_async(agent_uploads)()
    got = await frames_until(visitor, "message", author="agent")
    assert got["id"] == reply["message"] and got["body"] == "Try this"
    assert got["files"][0]["name"] == "fix.png"
    assert got["files"][0]["url"] == file_url(token, reply["files"][0])
    await visitor.disconnect()
    await desk.disconnect()

    again = await visitor_socket(token)
    history = [await again.receive_json_from() for _ in range(4)]
    with_files = [f for f in history if f.get("files")]
    assert [f["id"] for f in with_files] == [sent["message"], reply["message"]]
    assert with_files[1]["files"][0]["url"] == file_url(token, reply["files"][0])
    await again.disconnect()
