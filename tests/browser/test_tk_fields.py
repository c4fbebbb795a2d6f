"""End to end: custom fields in the side panel, a timer that survives a reload, a link;
and screenshots of the ticket page, the custom field admin and the time report at 1280
and 1920 px in English and Finnish (into
artifacts/screenshots/custom-fields/, tests/browser/shots.py)."""


import pytest

from tests.browser.shots import shots_dir
from tests.browser.signin import sign_in
from tests.factories import CustomerFactory
from tickets import services
from tickets.models import CustomField, TicketFieldValue
from tickets.services import links as link_services
from tickets.services import worklog

from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = shots_dir("custom-fields")
OUT = SHOTS if SHOTS.is_dir() else SCREENSHOTS


def _fields():
    CustomField.objects.create(
        key="product", type="dropdown", label_en="Product", label_fi="Tuote", position=1,
        required_on_solve=True, public=True,
        options=[{"key": "printer", "en": "Printer", "fi": "Tulostin"},
                 {"key": "scanner", "en": "Scanner", "fi": "Skanneri"}])
    CustomField.objects.create(key="hours_lost", type="number", label_en="Hours lost",
                               label_fi="Menetetyt tunnit", position=2)
    CustomField.objects.create(key="warranty", type="checkbox", label_en="Under warranty",
                               label_fi="Takuu voimassa", position=3)
    CustomField.objects.create(key="bought_on", type="date", label_en="Bought on",
                               label_fi="Ostopäivä", position=4)


def _sign_in(page, live_server, user, path):
    page.set_default_timeout(60_000)  # a shared, busy machine
    sign_in(page, live_server.url, user.email, path=path)


def _shoot(page, name):
    OUT.mkdir(parents=True, exist_ok=True)
    for width in (1280, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(OUT / f"{name}-{width}.png"), full_page=True)


def _language(page, code):
    page.locator(f".lang-switch button[value={code}]").click()
    page.wait_for_load_state()


def test_side_panel_fields_timer_and_links(page, live_server, admin_user, agent, team):
    _fields()
    customer = CustomerFactory(name="Kalle Customer", email="kalle@example.com")
    ticket = services.create_ticket(services.NewTicket(
        subject="Printer on fire", body="Smoke everywhere.", customer=customer, channel="email",
        team=team
    ))
    other = services.create_ticket(services.NewTicket(
        subject="Printer smokes too", body="Same here.", customer=CustomerFactory(), channel="web",
        team=team
    ))
    link_services.link_tickets(ticket=other, other=ticket, relation="incident_of",
                               actor=admin_user)
    worklog.log_time(ticket=ticket, agent=agent, seconds=2700, note="Called the customer")
    _sign_in(page, live_server, admin_user, ticket.get_absolute_url())

    # A custom field saved by the side panel's htmx change.
    page.select_option("select[name=field_product]", "printer")
    page.locator("#sidepanel .saved").wait_for()
    assert TicketFieldValue.objects.get(ticket=ticket, field__key="product").value == "printer"
    # A wrong number is named, and stays typed.
    page.fill("input[name=field_hours_lost]", "lots")
    page.locator("input[name=field_hours_lost]").press("Tab")
    page.locator("#sidepanel .error").wait_for()
    assert "Hours lost" in page.locator("#sidepanel .error").inner_text()
    assert page.input_value("input[name=field_hours_lost]") == "lots"
    page.fill("input[name=field_hours_lost]", "1,5")
    page.locator("input[name=field_hours_lost]").press("Tab")
    page.locator("#sidepanel .saved").wait_for()

    # The timer runs on the server: it is still running after a reload.
    page.click("#time-panel button[value=start]")
    page.locator("[data-timer-start]").wait_for()
    page.reload()
    page.locator("[data-timer-start]").wait_for()
    page.wait_for_function(
        "() => /\\d+:\\d\\d:\\d\\d/.test(document.querySelector('[data-timer-start]').textContent)")
    _shoot(page, "ticket-side-panel-en")
    _language(page, "fi")
    page.locator("#time-panel").wait_for()
    assert "Pysäytä ajastin" in page.locator("#time-panel").inner_text()
    assert "Tuote" in page.locator("#sidepanel").inner_text()
    _shoot(page, "ticket-side-panel-fi")
    page.click("#time-panel button[value=stop]")
    page.locator("#time-panel button[value=start]").wait_for()
    assert worklog.running_timer(ticket=ticket, agent=admin_user) is None

    # Pages of admins and managers, in Finnish then English.
    page.goto(f"{live_server.url}/fields/")
    _shoot(page, "custom-fields-admin-fi")
    page.goto(f"{live_server.url}/fields/new/")
    _shoot(page, "custom-field-form-fi")
    page.goto(f"{live_server.url}/time/report/")
    assert "Aino Agent" in page.content()
    _shoot(page, "time-report-fi")
    _language(page, "en")
    _shoot(page, "time-report-en")
    page.goto(f"{live_server.url}/fields/")
    _shoot(page, "custom-fields-admin-en")
    page.goto(f"{live_server.url}/fields/new/")
    _shoot(page, "custom-field-form-en")
    page.goto(f"{live_server.url}/metrics/")
    page.locator("#by-custom-field").wait_for()
    page.locator("#by-custom-field").scroll_into_view_if_needed()
    _shoot(page, "dashboard-by-custom-field-en")
    page.goto(f"{live_server.url}/macros/new/")
    _shoot(page, "macro-form-custom-fields-en")
    page.goto(f"{live_server.url}/support/new/")
    _shoot(page, "portal-form-with-public-field-en")
