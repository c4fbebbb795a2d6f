"""Portal: a signed-in customer marks a request solved (apply_ticket_changes with the
customer as actor, an event in the history, reopened by a reply) and switches language."""

import pytest
from django.urls import reverse

from tickets.models import Ticket, TicketEvent
from tickets.portal import auth
from tickets.services import apply_ticket_changes

pytestmark = pytest.mark.django_db


def _sign_in(client, customer):
    session = client.session
    session[auth.CUSTOMER_KEY] = customer.pk
    session.save()
    return client


def test_customer_marks_their_request_solved_and_reopens_it_by_replying(
        client, customer, ticket, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    _sign_in(client, customer)
    page = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert reverse("portal:solve", args=[ticket.pk]) in page and "Mark as solved" in page
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("portal:solve", args=[ticket.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:ticket", args=[ticket.pk])
    assert callbacks  # ticket_updated and the status signals were announced after commit
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED and ticket.solved_at is not None
    event = TicketEvent.objects.filter(ticket=ticket, field="status").latest("pk")
    assert (event.old_value, event.new_value, event.actor, event.actor_customer) == (
        "new", "solved", None, customer)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert "This request is marked solved" in page and "Mark as solved" not in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:ticket", args=[ticket.pk]), {"message": "Still broken."})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN and ticket.reopen_count == 1


def test_solving_again_or_a_closed_request_changes_nothing(client, customer, ticket):
    _sign_in(client, customer)
    client.post(reverse("portal:solve", args=[ticket.pk]))
    client.post(reverse("portal:solve", args=[ticket.pk]))
    assert TicketEvent.objects.filter(ticket=ticket, field="status").count() == 1
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.CLOSED)
    assert client.post(reverse("portal:solve", args=[ticket.pk])).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED


def test_another_customers_request_is_a_404_and_anonymous_goes_to_sign_in(
        client, other_customer, ticket):
    assert client.post(reverse("portal:solve", args=[ticket.pk])).status_code == 302
    _sign_in(client, other_customer)
    assert client.post(reverse("portal:solve", args=[ticket.pk])).status_code == 404
    assert client.get(reverse("portal:solve", args=[ticket.pk])).status_code == 405
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.NEW


def test_the_service_refuses_a_customer_anything_but_solving_their_own(
        customer, other_customer, ticket, agent):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        apply_ticket_changes(ticket=ticket, changes={"status": "solved"}, actor=None,
                             actor_customer=other_customer, source="portal")
    with pytest.raises(ValidationError):
        apply_ticket_changes(ticket=ticket, changes={"priority": "urgent"}, actor=None,
                             actor_customer=customer, source="portal")
    with pytest.raises(PermissionDenied):  # not both a staff actor and a customer
        apply_ticket_changes(ticket=ticket, changes={"status": "solved"}, actor=agent,
                             actor_customer=customer, source="portal")


def test_signed_in_customer_switches_language_and_it_stays(client, customer, ticket):
    customer.language = "en"
    customer.save(update_fields=["language"])
    _sign_in(client, customer)
    url = reverse("portal:ticket", args=[ticket.pk])
    assert '<html lang="en">' in client.get(url).content.decode()
    response = client.post(reverse("portal:set_language"), {"language": "fi", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    customer.refresh_from_db()
    assert customer.language == "fi"
    html = client.get(url).content.decode()
    assert '<html lang="fi">' in html and "Merkitse ratkaistuksi" in html
    assert '<html lang="fi">' in client.get(reverse("portal:home")).content.decode()


def test_language_switch_for_visitors_sets_only_the_cookie(client, customer):
    response = client.post(reverse("portal:set_language"),
                           {"language": "fi", "next": reverse("portal:new")})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "fi"
    assert '<html lang="fi">' in client.get(reverse("portal:new")).content.decode()
    customer.refresh_from_db()
    assert customer.language == "en"
    client.post(reverse("portal:set_language"), {"language": "xx", "next": "/support/"})
    customer.refresh_from_db()
    assert customer.language == "en"
