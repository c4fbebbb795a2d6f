"""CC and BCC kept on the ticket, CC'd people's answers threading in as theirs, and
forwards as side conversations whose answers come back as internal notes."""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from helpdesk.models import OutboundEmail
from tickets import intake
from tickets.models import InboundEmail, Message, SideConversation, Ticket
from tickets.services.compose import send_reply
from tickets.services.side import forward_ticket

from .conftest import upload


def _email(*, sender, subject, body, headers=None) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "support@example.com", subject
    msg["Message-ID"] = make_msgid(domain="elsewhere.test")
    msg.set_content(body)
    for name, value in (headers or {}).items():
        msg[name] = value
    return msg.as_bytes()


def _receive(raw: bytes):
    return intake.receive_raw(raw, source=InboundEmail.Source.FILE)


def test_cc_and_bcc_go_with_the_reply_and_stay_on_the_ticket(ticket, agent, send, mailoutbox):
    send(send_reply, ticket=ticket, agent=agent, body="Looping in",
         cc="Boss@Example.com; partner@example.org", bcc="audit@example.com")
    [mail] = mailoutbox
    assert mail.to == ["customer@example.com"]
    assert mail.cc == ["boss@example.com", "partner@example.org"]
    assert mail.bcc == ["audit@example.com"]
    assert "audit@example.com" not in mail.message().as_string()  # a blind copy stays blind
    ticket.refresh_from_db()
    assert ticket.cc == ["boss@example.com", "partner@example.org"]
    assert ticket.events.filter(field="cc").exists()
    # A later reply that says nothing about copies keeps them.
    send(send_reply, ticket=ticket, agent=agent, body="Update")
    assert mailoutbox[0].cc == ["boss@example.com", "partner@example.org"]
    assert mailoutbox[0].bcc == ["audit@example.com"]


def test_removing_an_address_in_the_form_drops_it_for_later_replies(client, agent, ticket,
                                                                   django_capture_on_commit_callbacks,
                                                                   mailoutbox):
    send_reply(ticket=ticket, agent=agent, body="one", cc="a@example.com, b@example.com")
    client.force_login(agent)
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert 'value="a@example.com, b@example.com"' in page  # the form shows the ticket's copies
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("tickets:reply", args=[ticket.pk]),
                    {"body": "two", "kind": "reply", "cc": "b@example.com", "bcc": ""})
    assert mailoutbox[0].cc == ["b@example.com"]
    ticket.refresh_from_db()
    assert ticket.cc == ["b@example.com"]


def test_notes_change_no_copies(ticket, agent):
    send_reply(ticket=ticket, agent=agent, body="x", cc="keep@example.com")
    send_reply(ticket=ticket, agent=agent, body="note", public=False, cc="")
    ticket.refresh_from_db()
    assert ticket.cc == ["keep@example.com"]


def test_invalid_cc_is_refused_naming_the_field_and_the_address(ticket, agent):
    with pytest.raises(ValidationError) as caught:
        send_reply(ticket=ticket, agent=agent, body="x", cc="good@example.com, not-an-address")
    assert "not-an-address" in caught.value.message_dict["cc"][0]
    assert not ticket.messages.filter(author_type="agent").exists()


def test_invalid_cc_in_the_form_keeps_the_text_and_shows_the_error(client, agent, ticket):
    client.force_login(agent)
    response = client.post(reverse("tickets:reply", args=[ticket.pk]),
                           {"body": "Carefully written", "kind": "reply", "cc": "nope@"})
    assert response.status_code == 400
    page = response.content.decode()
    assert ">Carefully written</textarea>" in page
    assert 'id="cc-error"' in page and "nope@" in page


def test_a_ccd_persons_answer_threads_into_the_ticket_as_theirs(ticket, agent, send, client):
    send(send_reply, ticket=ticket, agent=agent, body="Looping in", cc="boss@example.com")
    sent = OutboundEmail.objects.get(kind="agent_reply")
    result = _receive(_email(sender="Bea Boss <boss@example.com>", subject="Re: Printer on fire",
                             body="Approved.", headers={"In-Reply-To": sent.message_id}))
    assert result.status == "added" and result.ticket == ticket
    message = result.message
    assert message.author_customer.email == "boss@example.com"
    assert message.author_name == "Bea Boss"
    assert ticket.customer.email == "customer@example.com"  # the ticket stays the customer's
    client.force_login(agent)
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "Bea Boss" in page and "&lt;boss@example.com&gt;" in page


def test_forwarding_emails_the_thread_to_the_address_and_not_the_customer(ticket, agent, send,
                                                                          mailoutbox):
    side = send(forward_ticket, ticket=ticket, agent=agent, to="vendor@supplier.test",
                body="Can you check this printer?")
    [mail] = mailoutbox
    assert mail.to == ["vendor@supplier.test"]
    assert mail.subject.startswith(f"[#SC-{side.token}] Fwd: [{ticket.reference}]")
    assert f"sc.{side.token}." in mail.extra_headers["Message-ID"]
    assert "Can you check this printer?" in mail.body and "It is on fire." in mail.body
    note = ticket.messages.get(side_conversation=side)
    assert not note.public and "vendor@supplier.test" in note.body_text


def test_forwarding_one_message_sends_its_files(ticket, agent, send, mailoutbox):
    message = send_reply(ticket=ticket, agent=agent, body="With file", public=False,
                         files=[upload("wiring.txt", b"red to blue")])
    send(forward_ticket, ticket=ticket, agent=agent, to="vendor@supplier.test", message=message)
    assert [a.filename for a in mailoutbox[0].attachments] == ["wiring.txt"]
    assert "With file" in mailoutbox[0].body and "It is on fire." not in mailoutbox[0].body


def test_the_answer_to_a_forward_comes_back_as_an_internal_note(ticket, agent, send, mailoutbox):
    side = send(forward_ticket, ticket=ticket, agent=agent, to="vendor@supplier.test")
    sent = OutboundEmail.objects.get(kind="side_conversation")
    status = Ticket.objects.get(pk=ticket.pk).status
    mailoutbox.clear()
    result = send(_receive, _email(sender="Vic Vendor <vendor@supplier.test>",
                                   subject=f"Re: [#SC-{side.token}] Fwd", body="Replace the fuser.",
                                   headers={"In-Reply-To": sent.message_id}))
    assert result.status == "added" and result.ticket == ticket
    note = result.message
    assert note.public is False and note.author_type == Message.Author.EXTERNAL
    assert note.side_conversation == side
    assert (note.sender_email, note.author_name) == ("vendor@supplier.test", "Vic Vendor")
    assert "Replace the fuser." in note.body_text
    assert mailoutbox == []  # nothing to the customer
    assert Ticket.objects.get(pk=ticket.pk).status == status
    assert not ticket.messages.filter(author_customer__email="vendor@supplier.test").exists()


def test_the_subject_token_alone_also_finds_the_side_conversation(ticket, agent):
    side = forward_ticket(ticket=ticket, agent=agent, to="vendor@supplier.test")
    result = _receive(_email(sender="other@supplier.test",
                             subject=f"Re: [#SC-{side.token}] Fwd: printer", body="Colleague here"))
    assert result.ticket == ticket and result.message.side_conversation == side


def test_forward_to_an_invalid_address_names_the_field(client, agent, ticket):
    client.force_login(agent)
    response = client.post(reverse("tickets:forward", args=[ticket.pk]),
                           {"to": "vendor at supplier", "note": "Please look"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="forward-to-error"' in page and ">Please look</textarea>" in page
    assert not SideConversation.objects.exists()


def test_forward_from_the_ticket_page(client, agent, ticket, django_capture_on_commit_callbacks,
                                      mailoutbox):
    client.force_login(agent)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tickets:forward", args=[ticket.pk]),
                               {"to": "vendor@supplier.test", "note": "Please look"})
    assert response.status_code == 302
    assert mailoutbox[0].to == ["vendor@supplier.test"]
