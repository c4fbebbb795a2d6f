"""In Chromium: a signed-in customer switches the portal to Finnish (and it stays Finnish),
marks the request solved, and reopens it by replying."""

import pytest

from tickets import services
from tickets.models import Customer, Ticket, TicketEvent
from tickets.portal.auth import make_sign_in_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signed_in_customer_switches_to_finnish_and_marks_the_request_solved(
        page, live_server, team):
    customer = Customer.objects.create(email="anna@example.com", name="Anna", language="en")
    ticket = services.create_ticket(services.NewTicket(
        subject="Login fails", body="The login page says no.", customer=customer, channel="web",
        team=team
    ))
    page.goto(f"{live_server.url}/support/sign-in/{make_sign_in_token(customer)}/")
    page.click("main button[type=submit]")
    page.wait_for_selector("table.portal-table")
    assert page.get_attribute("html", "lang") == "en"

    page.select_option("#portal-language", "fi")
    page.click("footer button[type=submit]")
    page.wait_for_selector("html[lang=fi]")
    assert "Omat pyyntöni" in page.text_content("header")
    page.click(f"text={ticket.reference}")
    page.wait_for_selector("ol.portal-thread")
    assert page.get_attribute("html", "lang") == "fi"  # stays Finnish on the next page
    customer.refresh_from_db()
    assert customer.language == "fi"

    page.click("text=Merkitse ratkaistuksi")
    page.wait_for_selector(".portal-solved")
    assert page.text_content(".portal-status").strip() == "Ratkaistu"
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED
    assert TicketEvent.objects.filter(ticket=ticket, field="status", new_value="solved",
                                      actor_customer=customer).exists()

    page.fill("#id_message", "Sama virhe tuli taas.")
    page.click("form.portal-form button[type=submit]")
    page.wait_for_selector("text=Sama virhe tuli taas.")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert page.get_attribute("html", "lang") == "fi"
