"""End to end in headless Chromium: a customer files the web form, signs in through
the magic link from the outbox, sees the ticket and replies; and the chat widget."""

import re

import pytest
from django.core.cache import cache

from helpdesk.models import OutboundEmail
from tickets.models import Ticket

from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def localized_page(browser, request):
    language = request.param
    cache.clear()
    context = browser.new_context(viewport={"width": 1280, "height": 860},
                                  locale="fi-FI" if language == "fi" else "en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield language, page
    context.close()


def _shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("localized_page", ["en", "fi"], indirect=True)
def test_customer_files_a_request_then_signs_in_and_replies(localized_page, live_server):
    language, page = localized_page
    email = f"kalle-{language}@example.com"
    page.goto(f"{live_server.url}/support/new/")
    assert page.get_attribute("html", "lang") == language
    page.fill("#id_name", "Kalle Customer")
    page.fill("#id_email", email)
    page.fill("#id_subject", "Printer on fire")
    page.fill("#id_message", "Smoke everywhere.\nPlease help.")
    page.set_input_files("#id_attachments", files=[
        {"name": "error.log", "mimeType": "text/plain", "buffer": b"E42 paper jam"}])
    _shot(page, f"portal-new-{language}")
    page.click("button[type=submit]")
    reference = page.text_content("[data-testid=reference]").strip()
    ticket = Ticket.objects.get(customer__email=email)
    assert reference == ticket.reference
    assert ticket.customer.language == language  # from the browser's Accept-Language
    _shot(page, f"portal-thanks-{language}")

    page.goto(f"{live_server.url}/support/")
    page.fill("#id_email", email)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    _shot(page, f"portal-link-sent-{language}")
    body = OutboundEmail.objects.get(kind="sign_in", to=email).body_text
    link = re.search(r"http\S+/support/sign-in/\S+/", body).group(0)

    page.goto(link)
    page.click("main button[type=submit]")
    page.wait_for_selector("table.portal-table")
    assert reference in page.text_content("table.portal-table")
    _shot(page, f"portal-tickets-{language}")

    page.click(f"text={reference}")
    page.wait_for_selector("ol.portal-thread")
    assert "Smoke everywhere." in page.text_content("ol.portal-thread")
    assert "error.log" in page.text_content("ol.portal-thread")
    page.fill("#id_message", "It is still smoking.")
    page.click("form.portal-form button[type=submit]")
    page.wait_for_selector("text=It is still smoking.")
    assert page.get_attribute("html", "lang") == language  # the customer's language now
    _shot(page, f"portal-ticket-{language}")
    assert ticket.messages.filter(body_text="It is still smoking.", channel="web").exists()


@pytest.mark.parametrize("localized_page", ["en"], indirect=True)
def test_chat_widget_creates_a_chat_ticket(localized_page, live_server):
    _, page = localized_page
    page.goto(f"{live_server.url}/support/widget/demo/")
    page.click("#helpdesk-widget >> button.launcher")
    page.fill("#helpdesk-widget >> #hd-name", "Liisa Shopper")
    page.fill("#helpdesk-widget >> #hd-email", "liisa@example.com")
    page.fill("#helpdesk-widget >> #hd-message", "Where is my order?")
    _shot(page, "widget-open")
    page.click("#helpdesk-widget >> button.send")
    done = page.wait_for_selector("#helpdesk-widget >> p.done")
    ticket = Ticket.objects.get(customer__email="liisa@example.com")
    assert ticket.channel == "chat"
    assert ticket.reference in done.text_content()
    _shot(page, "widget-sent")
