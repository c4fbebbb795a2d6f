"""Phone tickets an agent logs: a phone field, email optional, no acknowledgement by default."""

import pytest
from django.urls import reverse

from helpdesk.models import OutboundEmail
from tests.factories import CustomerFactory
from tickets import services
from tickets.models import Customer, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def _log(client, capture, **fields):
    data = {"channel": "phone", "subject": "Called about the invoice", "body": "Says it is wrong",
            "priority": "normal", "assign_to_me": "on", **fields}
    with capture(execute=True):
        return client.post(reverse("tickets:new"), data)


def _acks():
    return list(OutboundEmail.objects.filter(kind="acknowledgement"))


def test_new_ticket_form_has_a_phone_field_and_ack_off(signed_in):
    form = signed_in.get(reverse("tickets:new")).context["form"]
    assert "customer_phone" in form.fields
    assert form.fields["customer_email"].required is False
    assert form["acknowledge"].value() is False


def test_a_caller_known_by_phone_alone(signed_in, django_capture_on_commit_callbacks, mailoutbox):
    response = _log(signed_in, django_capture_on_commit_callbacks,
                    customer_phone="+358 (40) 123-4567", customer_name="Pirjo Puhelin")
    ticket = Ticket.objects.get(subject="Called about the invoice")
    assert response.url == ticket.get_absolute_url()
    assert (ticket.customer.email, ticket.customer.phone) == ("", "+358401234567")
    assert ticket.customer.display_name == "Pirjo Puhelin"
    assert _acks() == [] and mailoutbox == []


def test_a_second_call_from_the_same_number_finds_the_same_customer(
        signed_in, django_capture_on_commit_callbacks):
    _log(signed_in, django_capture_on_commit_callbacks, customer_phone="040 123 4567")
    _log(signed_in, django_capture_on_commit_callbacks, customer_phone="040-1234567",
         subject="Again")
    assert Customer.objects.filter(phone="0401234567").count() == 1
    assert Ticket.objects.filter(customer__phone="0401234567").count() == 2


def test_two_phone_only_customers_may_both_lack_an_email(signed_in,
                                                         django_capture_on_commit_callbacks):
    _log(signed_in, django_capture_on_commit_callbacks, customer_phone="0401111111")
    _log(signed_in, django_capture_on_commit_callbacks, customer_phone="0402222222")
    assert Customer.objects.filter(email="").count() == 2


def test_phone_is_stored_on_a_customer_found_by_email(signed_in, customer,
                                                      django_capture_on_commit_callbacks):
    _log(signed_in, django_capture_on_commit_callbacks, customer_email=customer.email,
         customer_phone="+358 50 765 4321")
    customer.refresh_from_db()
    assert customer.phone == "+358507654321"


def test_no_acknowledgement_by_default_even_with_an_email(signed_in, customer,
                                                          django_capture_on_commit_callbacks):
    _log(signed_in, django_capture_on_commit_callbacks, customer_email=customer.email)
    assert Ticket.objects.filter(subject="Called about the invoice").exists()
    assert _acks() == []


def test_acknowledgement_when_the_agent_ticks_it(signed_in, customer,
                                                 django_capture_on_commit_callbacks):
    _log(signed_in, django_capture_on_commit_callbacks, customer_email=customer.email,
         acknowledge="on")
    (ack,) = _acks()
    assert ack.to == customer.email


def test_ticking_acknowledge_without_an_email_is_an_inline_error(
        signed_in, django_capture_on_commit_callbacks):
    response = _log(signed_in, django_capture_on_commit_callbacks, customer_phone="0401234567",
                    acknowledge="on")
    assert response.status_code == 200
    assert "There is no email address to send it to." in response.text
    assert 'value="0401234567"' in response.text  # what was typed is kept
    assert not Ticket.objects.exists()


def test_phone_ticket_needs_a_phone_or_an_email(signed_in, django_capture_on_commit_callbacks):
    response = _log(signed_in, django_capture_on_commit_callbacks)
    assert response.context["form"].errors["customer_phone"] == [
        "Enter the caller's phone number or email address."]
    assert not Ticket.objects.exists()


def test_a_chat_still_needs_an_email(signed_in, django_capture_on_commit_callbacks):
    response = _log(signed_in, django_capture_on_commit_callbacks, channel="chat",
                    customer_phone="0401234567")
    assert response.context["form"].errors["customer_email"] == [
        "A chat needs the customer's email address."]
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("bad", ["call me", "12", "+358+40", "1" * 25])
def test_malformed_phone_is_an_inline_error(signed_in, django_capture_on_commit_callbacks, bad):
    response = _log(signed_in, django_capture_on_commit_callbacks, customer_phone=bad)
    assert response.status_code == 200
    assert "Enter a phone number of 5 to 20 digits" in response.text
    assert not Ticket.objects.exists()


def test_replies_to_a_phone_only_customer_email_nobody(agent, team,
                                                       django_capture_on_commit_callbacks):
    caller = services.get_or_create_caller(phone="0401234567")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.create_ticket(services.NewTicket(
            subject="Call", body="x", customer=caller, channel="phone", team=team
        ), actor=agent)
        services.reply_to_ticket(ticket=ticket, agent=agent, body="Called back")
    assert not OutboundEmail.objects.filter(to="").exists()


def test_customers_of_the_web_form_are_still_acknowledged(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.create_ticket(services.NewTicket(
            subject="Web", body="x", customer=CustomerFactory(), channel="web"
        ))
    assert len(_acks()) == 1
