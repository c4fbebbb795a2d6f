"""Notifications: language, text + HTML, headers, threading, who gets what."""

import pytest

from helpdesk.models import OutboundEmail
from tickets import services
from tickets.email_tokens import make_reply_address, ticket_id_from_address


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def _run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)
    return _run


def _emails(kind):
    return list(OutboundEmail.objects.filter(kind=kind).order_by("pk"))


def test_new_ticket_is_acknowledged_in_text_and_html(run, customer, team, mailoutbox):
    ticket = run(services.create_ticket, services.NewTicket(
        subject="Bills & invoices", body="Hi", customer=customer, team=team
    ))
    sent = mailoutbox[0]
    assert sent.subject == f"[{ticket.reference}] We received your request: Bills & invoices"
    assert ticket.reference in sent.body
    html = sent.alternatives[0][0]
    assert "<table" in html and "Helpdesk" in html
    assert "Bills &amp; invoices" in html


def test_acknowledgement_is_marked_automatic_and_tagged_with_the_ticket(run, customer, team):
    ticket = run(services.create_ticket, services.NewTicket(
        subject="Help", body="Hi", customer=customer, team=team
    ))
    (email,) = _emails("acknowledgement")
    assert email.headers["Auto-Submitted"] == "auto-replied"
    assert email.headers["X-Helpdesk-Ticket"] == ticket.reference
    assert ticket_id_from_address(email.reply_to) == ticket.pk


def test_brand_name_comes_from_settings(run, customer, team, settings, mailoutbox):
    settings.HELPDESK_BRAND_NAME = "Acme Support"
    run(services.create_ticket, services.NewTicket(
        subject="Help", body="Hi", customer=customer, team=team
    ))
    assert "Acme Support" in mailoutbox[0].alternatives[0][0]
    assert "Acme Support" in mailoutbox[0].body


def test_automatic_message_is_not_acknowledged(run, customer, team):
    run(services.create_ticket, services.NewTicket(
        subject="Out of office", body="Away", customer=customer, team=team, is_automatic=True
    ))
    assert _emails("acknowledgement") == []


def test_agent_created_ticket_without_acknowledge_sends_none(run, customer, team, agent):
    run(services.create_ticket, services.NewTicket(
        subject="Phone call", body="Called", customer=customer, team=team, channel="phone",
        acknowledge=False
    ), actor=agent)
    assert _emails("acknowledgement") == []


def test_acknowledgement_is_in_the_customers_language(run, customer, team, mailoutbox):
    customer.language = "fi"
    customer.save(update_fields=["language"])
    run(services.create_ticket, services.NewTicket(
        subject="Apua", body="Hei", customer=customer, team=team
    ))
    assert _emails("acknowledgement")[0].language == "fi"


def test_agent_reply_threads_onto_the_customers_email(run, customer, team, agent):
    ticket = run(services.create_ticket, services.NewTicket(
        subject="Help", body="Hi", customer=customer, team=team, channel="email",
        email=services.EmailDetails(message_id="<first@mail.example.com>")
    ))
    run(services.add_customer_message, ticket=ticket, customer=customer, body="More",
        email_message_id="<second@mail.example.com>")
    message = run(services.reply_to_ticket, ticket=ticket, agent=agent, body="Fixed it")
    (email,) = _emails("agent_reply")
    assert email.headers["In-Reply-To"] == "<second@mail.example.com>"
    assert email.headers["References"] == "<first@mail.example.com> <second@mail.example.com>"
    assert email.reply_to == make_reply_address(ticket.pk)
    assert "Auto-Submitted" not in email.headers
    message.refresh_from_db()
    assert message.email_message_id == email.message_id


def test_agent_reply_body_and_subject(run, ticket, agent, mailoutbox):
    run(services.reply_to_ticket, ticket=ticket, agent=agent, body="Try turning it off & on")
    sent = mailoutbox[-1]
    assert sent.subject == f"[{ticket.reference}] Printer on fire"
    assert "Try turning it off & on" in sent.body
    assert "Try turning it off &amp; on" in sent.alternatives[0][0]


def test_internal_note_is_never_emailed(run, ticket, agent):
    run(services.add_internal_note, ticket=ticket, agent=agent, body="Secret")
    assert _emails("agent_reply") == []


def test_bounced_customer_gets_no_reply_email(run, ticket, agent, customer):
    customer.bounced = True
    customer.save(update_fields=["bounced"])
    message = run(services.reply_to_ticket, ticket=ticket, agent=agent, body="Hello")
    assert _emails("agent_reply") == []
    message.refresh_from_db()
    assert message.email_message_id == ""


def test_customer_reply_goes_to_the_assignee_in_their_language(run, ticket, agent, customer,
                                                               other_agent):
    agent.language = "fi"
    agent.save(update_fields=["language"])
    run(services.assign_ticket, ticket=ticket, assignee=agent, actor=other_agent)
    run(services.add_customer_message, ticket=ticket, customer=customer, body="Still burning")
    (email,) = _emails("customer_reply")
    assert email.to == agent.email
    assert email.language == "fi"
    assert "Still burning" in email.body_text
    assert email.headers["Auto-Submitted"] == "auto-generated"


def test_customer_reply_goes_to_the_team_without_assignee(run, ticket, customer, team):
    run(services.add_customer_message, ticket=ticket, customer=customer, body="Hello?")
    (email,) = _emails("customer_reply")
    assert email.to == team.email


def test_assignment_is_emailed_to_the_agent_but_not_self_assignment(run, ticket, agent,
                                                                    team_lead):
    run(services.assign_ticket, ticket=ticket, assignee=agent, actor=team_lead)
    (email,) = _emails("assigned")
    assert email.to == agent.email
    assert ticket.reference in email.subject
    run(services.assign_ticket, ticket=ticket, assignee=team_lead, actor=team_lead)
    assert len(_emails("assigned")) == 1


def test_solved_is_emailed_to_the_customer(run, ticket, agent):
    run(services.solve_ticket, ticket=ticket, actor=agent)
    (email,) = _emails("solved")
    assert email.to == ticket.customer.email
    assert email.subject.startswith(f"[{ticket.reference}] Solved")
    assert email.headers["Auto-Submitted"] == "auto-generated"


def test_text_bodies_are_not_html_escaped(run, customer, team, mailoutbox):
    run(services.create_ticket, services.NewTicket(
        subject='"Quotes" & <tags>', body="x", customer=customer, team=team
    ))
    assert '"Quotes" & <tags>' in mailoutbox[0].subject
    assert "&amp;" not in mailoutbox[0].body
