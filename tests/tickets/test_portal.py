"""Customer portal: web form, magic link, the customer's tickets, replies, permissions."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from helpdesk.models import OutboundEmail
from tickets import services
from tickets.models import Attachment, Message, Ticket
from tickets.portal import auth

from ..factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # presence and metrics entries; limits and used links are database rows
    yield
    cache.clear()


def _form(**overrides):
    return {"name": "Kalle Customer", "email": "customer@example.com", "subject": "Printer jam",
            "message": "Paper stuck.", "website": ""} | overrides


def _sign_in(client, customer):
    session = client.session
    session[auth.CUSTOMER_KEY] = customer.pk
    session.save()
    return client


@pytest.fixture
def customer_client(client, customer):
    return _sign_in(client, customer)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def _run(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)
    return _run


# --- New ticket form ---------------------------------------------------------------------

def test_new_ticket_form_renders_for_anyone(client):
    response = client.get(reverse("portal:new"))
    assert response.status_code == 200
    assert b'name="website"' in response.content


def test_new_ticket_form_creates_a_web_ticket_and_shows_its_reference(
        client, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:new"), _form(), follow=True)
    ticket = Ticket.objects.get()
    assert ticket.channel == "web"
    assert ticket.customer.email == "customer@example.com"
    assert ticket.messages.get().body_text == "Paper stuck."
    assert ticket.reference in response.content.decode()
    assert mailoutbox[0].to == ["customer@example.com"]


def test_new_ticket_uses_the_browsers_language_for_a_new_customer(client):
    client.post(reverse("portal:new"), _form(email="uusi@example.fi"),
                HTTP_ACCEPT_LANGUAGE="fi")
    assert Ticket.objects.get().customer.language == "fi"


def test_new_ticket_form_shows_errors_for_missing_fields(client):
    response = client.post(reverse("portal:new"), _form(email="not-an-email", subject=""))
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"email", "subject"}
    assert not Ticket.objects.exists()


def test_honeypot_filled_creates_nothing_but_looks_like_success(client):
    response = client.post(reverse("portal:new"), _form(website="http://spam.example"))
    assert response.status_code == 302
    assert not Ticket.objects.exists()


def test_new_ticket_is_rate_limited_per_email(client, monkeypatch):
    from tickets.portal import views

    monkeypatch.setattr(views, "NEW_TICKETS_PER_EMAIL", 2)
    codes = [client.post(reverse("portal:new"), _form()).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert Ticket.objects.count() == 2


def test_new_ticket_is_rate_limited_per_ip(client, monkeypatch):
    from tickets.portal import views

    monkeypatch.setattr(views, "NEW_TICKETS_PER_IP", 2)
    codes = [client.post(reverse("portal:new"), _form(email=f"p{i}@example.com")).status_code
             for i in range(3)]
    assert codes == [302, 302, 429]
    other_ip = client.post(reverse("portal:new"), _form(email="q@example.com"),
                           REMOTE_ADDR="10.9.9.9")
    assert other_ip.status_code == 302


def test_new_ticket_stores_attachments(client):
    files = [SimpleUploadedFile("log.txt", b"error 42", content_type="text/plain"),
             SimpleUploadedFile("shot.png", b"\x89PNG....", content_type="image/png")]
    client.post(reverse("portal:new"), _form() | {"attachments": files})
    names = sorted(Attachment.objects.values_list("filename", flat=True))
    assert names == ["log.txt", "shot.png"]
    assert Attachment.objects.get(filename="log.txt").file.read() == b"error 42"


def test_attachment_over_the_size_limit_is_refused(client, settings):
    settings.HELPDESK_MAX_ATTACHMENT_BYTES = 10
    big = SimpleUploadedFile("big.bin", b"x" * 11)
    response = client.post(reverse("portal:new"), _form() | {"attachments": [big]})
    assert response.status_code == 200
    assert "attachments" in response.context["form"].errors
    assert not Ticket.objects.exists()


# --- Magic link sign-in --------------------------------------------------------------------

def _link_from_outbox() -> str:
    email = OutboundEmail.objects.filter(kind="sign_in").latest("pk")
    return re.search(r"https?://\S+/support/sign-in/\S+/", email.body_text).group(0)


def test_sign_in_page_renders_for_anonymous(client):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert b'type="email"' in response.content


def test_known_address_gets_a_sign_in_link_by_email(client, customer,
                                                    django_capture_on_commit_callbacks,
                                                    mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:home"), {"email": "CUSTOMER@example.com"})
    assert response.status_code == 200
    assert mailoutbox[0].to == [customer.email]
    assert "/support/sign-in/" in mailoutbox[0].body
    assert OutboundEmail.objects.get().headers["Auto-Submitted"] == "auto-generated"


def test_unknown_address_gets_the_same_answer_and_no_email(client, customer):
    known = client.post(reverse("portal:home"), {"email": customer.email})
    unknown = client.post(reverse("portal:home"), {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    def scrub(content: bytes, email: str) -> str:
        return re.sub(r'value="[^"]{32,}"', "", content.decode().replace(email, ""))  # CSRF

    assert scrub(known.content, customer.email) == scrub(unknown.content, "nobody@example.com")
    assert OutboundEmail.objects.filter(to="nobody@example.com").count() == 0


def test_sign_in_links_per_email_are_limited(client, customer, monkeypatch):
    from tickets.portal import views

    monkeypatch.setattr(views, "SIGN_IN_LINKS_PER_EMAIL", 2)
    for _ in range(4):
        client.post(reverse("portal:home"), {"email": customer.email})
    assert OutboundEmail.objects.filter(kind="sign_in").count() == 2


def test_magic_link_signs_in_and_rotates_the_session(client, customer):
    client.post(reverse("portal:home"), {"email": customer.email})
    link = _link_from_outbox()
    assert client.get(link).status_code == 200  # a confirm button: scanners don't sign in
    before = client.session.session_key
    response = client.post(link)
    assert response.status_code == 302
    assert client.session[auth.CUSTOMER_KEY] == customer.pk
    assert client.session.session_key != before


def test_magic_link_works_once(client, customer):
    client.post(reverse("portal:home"), {"email": customer.email})
    link = _link_from_outbox()
    client.post(link)
    assert client.post(link).status_code == 400


def test_tampered_magic_link_is_refused(client, customer, other_customer):
    token = auth.make_sign_in_token(customer)
    value, _, signature = token.rpartition(":")
    forged = auth.make_sign_in_token(other_customer).rpartition(":")[0] + ":" + signature
    for bad in (token[:-2] + "xx", forged, "garbage"):
        response = client.post(reverse("portal:sign_in", args=[bad]))
        assert response.status_code == 400
    assert auth.CUSTOMER_KEY not in client.session


def test_expired_magic_link_is_refused(client, customer):
    token = auth.make_sign_in_token(customer)
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = client.post(reverse("portal:sign_in", args=[token]))
    assert response.status_code == 400
    assert auth.CUSTOMER_KEY not in client.session


def test_link_is_void_after_the_address_changes(client, customer):
    token = auth.make_sign_in_token(customer)
    customer.email = "new-address@example.com"
    customer.save(update_fields=["email"])
    assert client.post(reverse("portal:sign_in", args=[token])).status_code == 400


def test_sign_out_forgets_the_customer(customer_client):
    response = customer_client.post(reverse("portal:sign_out"))
    assert response.status_code == 302
    assert auth.CUSTOMER_KEY not in customer_client.session
    assert b'type="email"' in customer_client.get(reverse("portal:home")).content


# --- The customer's tickets ----------------------------------------------------------------

def test_signed_in_customer_sees_only_their_tickets(customer_client, ticket, other_customer):
    other = services.create_ticket(services.NewTicket(
        subject="Someone else's", body="x", customer=other_customer
    ))
    page = customer_client.get(reverse("portal:home")).content.decode()
    assert ticket.reference in page
    assert other.reference not in page


def test_ticket_list_query_count_is_constant(customer_client, customer,
                                             django_assert_num_queries):
    for i in range(3):
        services.create_ticket(services.NewTicket(subject=f"T{i}", body="x", customer=customer))
    with django_assert_num_queries(2):  # customer, tickets (the session from the cache)
        customer_client.get(reverse("portal:home"))
    for i in range(20):
        services.create_ticket(services.NewTicket(subject=f"U{i}", body="x", customer=customer))
    with django_assert_num_queries(2):
        customer_client.get(reverse("portal:home"))


def test_ticket_list_is_paginated(customer_client, customer):
    for i in range(27):
        services.create_ticket(services.NewTicket(subject=f"T{i}", body="x", customer=customer))
    first = customer_client.get(reverse("portal:home"))
    second = customer_client.get(reverse("portal:home") + "?page=2")
    assert len(first.context["tickets"]) == 25 and first.context["has_next"]
    assert len(second.context["tickets"]) == 2


def test_ticket_page_shows_public_thread_but_never_internal_notes(customer_client, ticket,
                                                                  agent):
    services.reply_to_ticket(ticket=ticket, agent=agent, body="Public answer")
    services.add_internal_note(ticket=ticket, agent=agent, body="SECRET internal note")
    page = customer_client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert "It is on fire." in page
    assert "Public answer" in page
    assert "SECRET" not in page


def test_merge_system_notes_are_not_shown(customer_client, ticket, customer, agent):
    duplicate = services.create_ticket(services.NewTicket(
        subject="Dup", body="Again", customer=customer, team=ticket.team
    ))
    services.merge_tickets(source=duplicate, target=ticket, actor=agent)
    page = customer_client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert "merged" not in page.lower()


def test_ticket_page_query_count_is_constant(customer_client, ticket, agent, customer,
                                             django_assert_num_queries):
    with django_assert_num_queries(4):  # customer, ticket, messages, attachments
        customer_client.get(reverse("portal:ticket", args=[ticket.pk]))
    for i in range(10):
        services.reply_to_ticket(ticket=ticket, agent=agent, body=f"Reply {i}")
        services.add_customer_message(ticket=ticket, customer=customer, body=f"More {i}")
    with django_assert_num_queries(4):
        customer_client.get(reverse("portal:ticket", args=[ticket.pk]))


def test_another_customers_ticket_is_not_found(client, ticket, other_customer):
    _sign_in(client, other_customer)
    assert client.get(reverse("portal:ticket", args=[ticket.pk])).status_code == 404
    response = client.post(reverse("portal:ticket", args=[ticket.pk]), {"message": "Hijack"})
    assert response.status_code == 404
    assert not Message.objects.filter(body_text="Hijack").exists()


@pytest.mark.parametrize("url_name", ["portal:ticket", "portal:attachment"])
def test_anonymous_is_sent_to_sign_in(client, ticket, url_name):
    response = client.get(reverse(url_name, args=[ticket.pk]))
    assert response.status_code == 302
    assert response.url == reverse("portal:home")


def test_an_agent_session_is_not_a_customer(client, ticket, agent, manager):
    for user in (agent, manager):
        client.force_login(user)
        response = client.get(reverse("portal:ticket", args=[ticket.pk]))
        assert response.status_code == 302
        assert b'type="email"' in client.get(reverse("portal:home")).content


def test_customer_reply_is_added_on_the_web_channel(customer_client, ticket, agent,
                                                    django_capture_on_commit_callbacks):
    services.assign_ticket(ticket=ticket, assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = customer_client.post(reverse("portal:ticket", args=[ticket.pk]),
                                        {"message": "Still on fire"})
    assert response.status_code == 302
    message = ticket.messages.latest("pk")
    assert (message.body_text, message.channel, message.author_type) == \
        ("Still on fire", "web", "customer")
    assert OutboundEmail.objects.filter(kind="customer_reply", to=agent.email).exists()


def test_empty_reply_is_refused(customer_client, ticket):
    response = customer_client.post(reverse("portal:ticket", args=[ticket.pk]), {"message": ""})
    assert response.status_code == 400
    assert ticket.messages.count() == 1


def test_reply_to_closed_ticket_opens_a_follow_up(customer_client, ticket, agent):
    services.solve_ticket(ticket=ticket, actor=agent)
    services.close_ticket(ticket=ticket)
    response = customer_client.post(reverse("portal:ticket", args=[ticket.pk]),
                                    {"message": "Again"})
    new = Ticket.objects.get(follows_up=ticket)
    assert response.url == reverse("portal:ticket", args=[new.pk])


def test_customer_downloads_own_attachment_but_not_others(client, customer, other_customer):
    client.post(reverse("portal:new"),
                _form() | {"attachments": [SimpleUploadedFile("a.txt", b"mine")]})
    item = Attachment.objects.get()
    _sign_in(client, customer)
    response = client.get(reverse("portal:attachment", args=[item.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"mine"
    _sign_in(client, other_customer)
    assert client.get(reverse("portal:attachment", args=[item.pk])).status_code == 404


def test_portal_follows_the_customers_language(customer_client, customer, ticket):
    customer.language = "fi"
    customer.save(update_fields=["language"])
    response = customer_client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.headers["Content-Language"] == "fi"
    assert '<html lang="fi">' in response.content.decode()


def test_anonymous_pages_follow_the_browser_language(client):
    response = client.get(reverse("portal:new"), HTTP_ACCEPT_LANGUAGE="fi")
    assert '<html lang="fi">' in response.content.decode()


def test_new_customer_via_factory_has_no_access_without_link(client):
    someone = CustomerFactory()
    client.post(reverse("portal:home"), {"email": someone.email})
    assert auth.CUSTOMER_KEY not in client.session
