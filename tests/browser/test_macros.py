"""End to end: an agent applies a macro from the ticket page with the keyboard only."""

import pytest

from tests.browser.signin import sign_in
from tests.factories import CustomerFactory
from tickets import services
from tickets.models import Ticket
from tickets.services import macros as macro_services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_picks_previews_and_applies_a_macro_with_the_keyboard(page, live_server, agent,
                                                                   team):
    customer = CustomerFactory(name="Kalle Customer", email="kalle@example.com")
    ticket = services.create_ticket(services.NewTicket(
        subject="Printer on fire", body="Smoke everywhere.", customer=customer, channel="email",
        team=team
    ))
    macro_services.save_macro(name="Escalate to hardware", shared=False, actor=agent,
                              actions=[{"type": "set_priority", "value": "high"}])
    macro_services.save_macro(name="Ask for the model number", shared=False, actor=agent, actions=[
        {"type": "reply", "value": "Hello {{ customer.name }}, which printer model is it?"},
        {"type": "set_status", "value": "pending"},
        {"type": "add_tags", "value": ["needs-info", "printer"]},
    ])
    sign_in(page, live_server.url, agent.email, path=ticket.get_absolute_url(),
            ready="#reply-body")

    page.locator("#reply-body").fill("Sorry for the trouble.")
    page.locator("h1").click()  # leave the text box: M is a shortcut, not a letter, here
    page.keyboard.press("m")
    search = page.locator("#macro-search")
    search.wait_for()
    assert search.evaluate("el => el === document.activeElement")
    page.keyboard.type("ask")
    assert page.locator("[data-macro-option]:visible").count() == 1
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")

    preview = page.locator("[data-macro-preview-body]")
    preview.wait_for()
    assert "Hello Kalle Customer, which printer model is it?" in preview.inner_text()
    assert "Pending" in preview.inner_text() and "needs-info, printer" in preview.inner_text()
    assert page.locator("[data-macro-confirm]").evaluate("el => el === document.activeElement")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    page.wait_for_selector("#reply-body")
    assert page.input_value("#reply-body") == (
        "Sorry for the trouble.\n\nHello Kalle Customer, which printer model is it?")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.PENDING
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["needs-info", "printer"]
    assert not ticket.messages.filter(author_type="agent").exists()  # the reply is not sent
