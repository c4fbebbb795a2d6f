"""End to end: the queue's bulk bar sets a custom field on the selected tickets; screenshots
of the bar at 1280 and 1920 px in English and Finnish (into $SHOTS_DIR when set, else
artifacts/screenshots/)."""

import os
from pathlib import Path

import pytest

from tests.browser.signin import sign_in
from tests.factories import CustomerFactory
from tickets import services
from tickets.models import CustomField
from tickets.services.custom_fields import values_of

from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OUT = Path(os.environ.get("SHOTS_DIR") or SCREENSHOTS)


def _shoot(page, name):
    OUT.mkdir(parents=True, exist_ok=True)
    for width in (1280, 1920):
        page.set_viewport_size({"width": width, "height": 700})
        page.screenshot(path=str(OUT / f"{name}-{width}.png"))


def _choose(page, value):
    page.select_option("[data-bulk-action]", "field:product")
    page.select_option('[data-bulk-for="field:product"]', value)


def test_bulk_bar_sets_a_dropdown_on_the_selected_tickets(page, live_server, agent, team):
    field = CustomField.objects.create(
        key="product", type="dropdown", label_en="Product", label_fi="Tuote", position=1,
        options=[{"key": "printer", "en": "Printer", "fi": "Tulostin"},
                 {"key": "scanner", "en": "Scanner", "fi": "Skanneri"}])
    CustomField.objects.create(key="bought_on", type="date", label_en="Bought on",
                               label_fi="Ostopäivä", position=2)
    tickets = [services.create_ticket(services.NewTicket(
        subject=subject, body="x", customer=CustomerFactory(), team=team))
        for subject in ("Printer on fire", "Printer jams", "Scanner is slow")]
    page.set_default_timeout(60_000)  # a shared, busy machine
    sign_in(page, live_server.url, agent.email, path="/accounts/login/?next=/%3Fview%3Dopen")
    for ticket in tickets[:2]:
        page.check(f'input[name="ids"][value="{ticket.pk}"]')
    _choose(page, "printer")
    _shoot(page, "bulk-field-en")
    page.locator(".lang-switch button[value=fi]").click()
    page.wait_for_load_state()
    for ticket in tickets[:2]:
        page.check(f'input[name="ids"][value="{ticket.pk}"]')
    _choose(page, "printer")
    assert page.locator("[data-bulk-action] optgroup").get_attribute("label") == "Aseta lisäkenttä"
    _shoot(page, "bulk-field-fi")
    page.click("#bulk-form button[type=submit]")
    page.wait_for_load_state()
    assert "2 tikettiä päivitetty." in page.content()
    assert [values_of(t.pk).get(field.pk) for t in tickets] == [["printer"], ["printer"], None]
    _shoot(page, "bulk-field-done-fi")
