"""End to end: an agent signs in, searches, opens a ticket, replies and solves it."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.signin import sign_in
from tests.factories import CustomerFactory
from tickets import services
from tickets.models import CannedResponse, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fi_catalogue_exists() -> bool:
    return any((Path(p) / "fi" / "LC_MESSAGES" / "django.mo").exists() for p in settings.LOCALE_PATHS)


def _setup(agent, team):
    customer = CustomerFactory(name="Kalle Customer", email="kalle@example.com")
    ticket = services.create_ticket(services.NewTicket(
        subject="Printer on fire", body="Smoke everywhere.", customer=customer, channel="email",
        team=team
    ))
    services.create_ticket(services.NewTicket(
        subject="Invoice question", body="Why?", customer=CustomerFactory(), team=team
    ))
    CannedResponse.objects.create(title="Greeting", body="Hello {{ customer.name }},")
    return ticket


def _sign_in(page, live_server, agent):
    sign_in(page, live_server.url, agent.email, path="/", ready="table.tickets")


@pytest.mark.parametrize("language", ["en", "fi"])
def test_agent_searches_replies_and_solves(page, live_server, agent, team, screenshot, language):
    agent.language = language
    agent.save(update_fields=["language"])
    ticket = _setup(agent, team)
    page.goto(f"{live_server.url}/accounts/login/")
    if language == "en":
        screenshot("login")
    _sign_in(page, live_server, agent)
    assert page.get_attribute("html", "lang") == language
    if language == "fi" and _fi_catalogue_exists():
        assert "Jonot" in page.inner_text("nav.mainnav")
    page.click("a[href='?view=open']")
    page.wait_for_selector(f"text={ticket.reference}")
    screenshot(f"queue-{language}")

    page.press("body", "/")
    page.keyboard.type("fire")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"a:has-text('{ticket.reference}')")
    assert page.locator("table.tickets tbody tr").count() == 1
    page.click("td.subject a:has-text('Printer on fire')")

    page.wait_for_selector("#reply-body")
    # The page's script marks the select once it listens for the choice; choosing
    # before that (a busy machine runs the script late) inserted nothing.
    page.wait_for_selector("select[data-canned][data-ready]", state="attached")
    page.select_option("select[data-canned]", label="Greeting")
    assert page.input_value("#reply-body") == "Hello Kalle Customer,"
    page.fill("#reply-body", "Hello Kalle, the fire is out.")
    if language == "en":
        screenshot("ticket")
    page.click("button[value=send_solved]")
    page.wait_for_selector(".msg-reply")
    assert "the fire is out" in page.inner_text(".thread")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED
    if language == "en":
        page.click(".history summary")  # the history loads as it opens
        expect(page.locator(".history ol")).to_contain_text(
            "Changed the status from New to Solved")
        screenshot("ticket-solved")


def test_side_panel_updates_in_place(page, live_server, agent, team):
    ticket = _setup(agent, team)
    _sign_in(page, live_server, agent)
    page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    page.select_option("#sidepanel select[name=priority]", "urgent")
    page.wait_for_selector("#sidepanel .saved")
    page.select_option("#sidepanel select[name=status]", "pending")
    # A function, not an expression string: Playwright evals strings, which the page CSP forbids.
    page.wait_for_function("() => document.getElementById('head-status').textContent.trim() === 'Pending'")
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.status) == ("urgent", "pending")


def test_other_pages_screenshots(page, live_server, agent, team, screenshot):
    _setup(agent, team)
    _sign_in(page, live_server, agent)
    for path, name in [("/tickets/new/", "new-ticket"), ("/canned/", "canned-responses"),
                       ("/canned/new/", "canned-response-form"), ("/settings/", "settings")]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert page.locator("main h1").inner_text().strip(), path
        screenshot(name)


def test_collision_notice_when_another_agent_has_the_ticket_open(browser, page, live_server, agent,
                                                                 team_lead, team):
    ticket = _setup(agent, team)
    lead_context = browser.new_context()
    lead_page = lead_context.new_page()
    try:
        _sign_in(lead_page, live_server, team_lead)
        lead_page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
        lead_page.wait_for_selector("#presence", state="attached")
        lead_page.fill("#reply-body", "typing…")
        _sign_in(page, live_server, agent)
        page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
        notice = page.wait_for_selector(".collision", timeout=15_000)
        assert "Lea Lead" in notice.inner_text()
    finally:
        lead_context.close()
