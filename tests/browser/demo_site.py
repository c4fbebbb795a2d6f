"""A live demo site for the page-wide browser tests (layout, accessibility, screenshots):
the fresh install, the demo data, a ticket whose subject is 200 characters without a
space, and signed-in pages for staff and a portal customer."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management import call_command

from demo.data.people import DEMO_PASSWORD
from helpdesk.models import User
from tickets import services
from tickets.models import Customer, Team, Ticket
from tickets.portal.auth import make_sign_in_token

from .conftest import SCREENSHOTS
from .signin import sign_in
from .test_first_hour import fresh_install

# artifacts/screenshots unless HELPDESK_SHOTS_DIR names another folder.
SHOTS = Path(os.environ.get("HELPDESK_SHOTS_DIR", str(SCREENSHOTS)))
LONG_SUBJECT = "Tilausnumero" + "X" * 188  # 200 characters, no space


def build() -> dict:
    fresh_install()
    call_command("seed_demo", tickets=120, no_progress=True, verbosity=0)
    customer = Customer.objects.create(email="pitka@example.com", name="Pia Pitkänen",
                                       language="en")
    long_ticket = services.create_ticket(services.NewTicket(
        subject=LONG_SUBJECT, body="Y" * 400, customer=customer, channel="web",
        team=Team.objects.get(name="Support")
    ))
    return {"manager": User.objects.get(email="manager@demo.test"),
            "agent": User.objects.get(email="agent@demo.test"),
            "customer": customer, "ticket": long_ticket}


def staff_page(browser, url: str, user: User, language: str, width: int = 1280):
    user.language = language
    user.save(update_fields=["language"])
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, url, user.email, password=DEMO_PASSWORD)
    return page


def customer_page(browser, url: str, customer: Customer, language: str, width: int = 1280):
    customer.language = language
    customer.save(update_fields=["language"])
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{url}/support/sign-in/{make_sign_in_token(customer)}/")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return page


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def ticket_with_responses() -> Ticket:
    return Ticket.objects.filter(survey_responses__isnull=False).order_by("pk").first()
