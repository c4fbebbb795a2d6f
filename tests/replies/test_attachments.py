"""Files on agents' replies and notes: stored, emailed as real MIME parts, refused with
an error naming the file, shown in the thread and (public ones) in the portal."""

import email
from email import policy

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tickets.models import Attachment, Message
from tickets.portal import auth
from tickets.services.compose import send_reply

from .conftest import PNG, upload


def test_reply_with_two_files_is_emailed_with_both_as_mime_attachments(ticket, agent, send,
                                                                       mailoutbox):
    message = send(send_reply, ticket=ticket, agent=agent, body="See the attached.",
                   files=[upload("log.txt", b"line 1\n"), upload("report.pdf", b"%PDF-1.4 x",
                                                                 "application/pdf")])
    assert sorted(message.attachments.values_list("filename", "size")) == [
        ("log.txt", 7), ("report.pdf", 10)]
    [mail] = mailoutbox
    assert [(a.filename, a.mimetype) for a in mail.attachments] == [
        ("log.txt", "text/plain"), ("report.pdf", "application/pdf")]
    raw = email.message_from_bytes(mail.message().as_bytes(), policy=policy.default)
    assert raw.get_content_type() == "multipart/mixed"
    parts = {p.get_filename(): p.get_content() for p in raw.iter_attachments()}
    assert parts == {"log.txt": "line 1\n", "report.pdf": b"%PDF-1.4 x"}
    body = raw.get_body(preferencelist=("plain",))
    assert "See the attached." in body.get_content()


def test_pasted_image_is_an_inline_part_referenced_by_cid_in_the_html(ticket, agent, send,
                                                                      mailoutbox):
    message = send(send_reply, ticket=ticket, agent=agent,
                   body="Like this:\n\n![pasted-1.png](cid:pasted-1.png)",
                   files=[upload("pasted-1.png", PNG, "image/png")])
    image = message.attachments.get()
    assert image.inline and image.content_id
    assert f'src="cid:{image.content_id}"' in message.body_html
    raw = email.message_from_bytes(mailoutbox[0].message().as_bytes(), policy=policy.default)
    html = raw.get_body(preferencelist=("html",)).get_content()
    assert f'src="cid:{image.content_id}"' in html
    [part] = [p for p in raw.walk() if p.get_content_type() == "image/png"]
    assert part["Content-ID"] == f"<{image.content_id}>"
    assert part.get_content_disposition() == "inline"
    assert part.get_content() == PNG


def test_note_files_are_stored_but_nothing_is_emailed(ticket, agent, send, mailoutbox):
    message = send(send_reply, ticket=ticket, agent=agent, body="Internal log", public=False,
                   files=[upload("internal.txt")])
    assert message.attachments.count() == 1
    assert mailoutbox == []


@pytest.mark.parametrize(("name", "data"), [
    ("setup.exe", b"anything"), ("script.js", b"alert(1)"),
    ("invoice.pdf", b"MZ\x90\x00 a Windows program"), ("photo.png", b"\x7fELF linux program"),
])
def test_programs_are_refused_by_name_or_by_content(ticket, agent, name, data):
    with pytest.raises(ValidationError) as caught:
        send_reply(ticket=ticket, agent=agent, body="Here", files=[upload(name, data)])
    assert name in caught.value.message_dict["attachments"][0]
    assert not Message.objects.filter(ticket=ticket, author_type="agent").exists()


def test_a_file_over_the_limit_is_refused_naming_it(ticket, agent, settings):
    settings.HELPDESK_MAX_ATTACHMENT_BYTES = 1000
    with pytest.raises(ValidationError) as caught:
        send_reply(ticket=ticket, agent=agent, body="Here",
                   files=[upload("small.txt"), upload("huge.log", b"x" * 1001)])
    error = caught.value.message_dict["attachments"][0]
    assert "huge.log" in error and "1000" in error
    assert not Attachment.objects.exists()


def test_files_together_over_the_message_limit_are_refused(ticket, agent, settings):
    settings.HELPDESK_MAX_REPLY_ATTACHMENT_BYTES = 1500
    with pytest.raises(ValidationError) as caught:
        send_reply(ticket=ticket, agent=agent, body="Here",
                   files=[upload("a.txt", b"x" * 800), upload("b.txt", b"x" * 800)])
    assert "b.txt" in caught.value.message_dict["attachments"][0]
    assert "per message" in caught.value.message_dict["attachments"][0]


def test_web_reply_with_files_shows_them_in_the_thread_with_size_and_type(client, agent, ticket):
    client.force_login(agent)
    response = client.post(reverse("tickets:reply", args=[ticket.pk]), {
        "body": "Logs attached", "kind": "reply", "action": "send",
        "attachments": [upload("server.log", b"x" * 2048), upload("shot.png", PNG, "image/png")]})
    assert response.status_code == 302
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "server.log" in page and "2.0\xa0KB" in page and "LOG" in page
    assert "shot.png" in page and "PNG" in page


def test_file_sizes_are_written_the_finnish_way(client, agent, ticket):
    agent.language = "fi"
    agent.save(update_fields=["language"])
    client.force_login(agent)
    send_reply(ticket=ticket, agent=agent, body="Loki", files=[upload("server.log", b"x" * 1536)])
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "1,5\xa0kt" in page  # Finnish units, decimal comma


def test_refused_file_keeps_everything_typed_and_names_the_file(client, agent, ticket, settings):
    settings.HELPDESK_MAX_ATTACHMENT_BYTES = 10
    client.force_login(agent)
    response = client.post(reverse("tickets:reply", args=[ticket.pk]), {
        "body": "My long careful answer", "kind": "note", "action": "send",
        "cc": "boss@example.com", "attachments": [upload("big.txt", b"x" * 11)]})
    assert response.status_code == 400
    page = response.content.decode()
    assert ">My long careful answer</textarea>" in page
    assert 'value="boss@example.com"' in page
    assert 'value="note" checked' in page
    assert "big.txt" in page and 'id="attachments-error"' in page
    assert not ticket.messages.filter(author_type="agent").exists()


def test_customer_sees_reply_files_in_the_portal_but_never_note_files(client, agent, ticket,
                                                                      customer):
    reply = send_reply(ticket=ticket, agent=agent, body="Manual", files=[upload("manual.pdf")])
    note = send_reply(ticket=ticket, agent=agent, body="Secret", public=False,
                      files=[upload("secret.txt")])
    session = client.session
    session[auth.CUSTOMER_KEY] = customer.pk
    session.save()
    page = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert "manual.pdf" in page and "secret.txt" not in page
    public_file = reply.attachments.get()
    assert client.get(reverse("portal:attachment", args=[public_file.pk])).status_code == 200
    note_file = note.attachments.get()
    assert client.get(reverse("portal:attachment", args=[note_file.pk])).status_code == 404


def test_agent_reply_files_are_served_through_the_safe_file_route(client, agent, ticket):
    message = send_reply(ticket=ticket, agent=agent, body="x",
                         files=[upload("page.html", b"<script>alert(1)</script>", "text/html")])
    client.force_login(agent)
    response = client.get(reverse("tickets:attachment", args=[message.attachments.get().pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]
