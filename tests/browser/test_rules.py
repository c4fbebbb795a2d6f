"""A manager writes a routing rule on the rules page; a web-form ticket is routed by it
(and assigned round robin in the team it was routed to)."""

import importlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.signin import sign_in
from tests.factories import TeamFactory, UserFactory
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def default_rules(transactional_db):
    """The default rules (a data migration), as on a fresh install: an earlier live-server
    test's flush removed them."""
    from django.apps import apps

    default_rules_migration = importlib.import_module("rules.migrations.0002_default_rules")
    default_rules_migration.create_default_rules(apps, None)

SHOTS = Path("/tmp/shots/rules")


def _sign_in(page, live_server, user):
    sign_in(page, live_server.url, user.email, ready="header.topbar")


def test_manager_writes_a_rule_and_a_web_form_ticket_is_routed(page, live_server):
    billing = TeamFactory(name="Billing", email="billing@helpdesk.test",
                          assignment="round_robin")
    TeamFactory(name="Support")
    biller = UserFactory(email="bea@helpdesk.test", name="Bea Biller", teams=[billing])
    manager = UserFactory(email="maija@helpdesk.test", name="Maija Manager", role="manager")
    _sign_in(page, live_server, manager)

    page.click("nav.mainnav >> text=Rules")
    page.click("text=New trigger")
    page.fill("#id_name", "Web form to Billing")
    page.check("input[name=events][value='ticket.created']")
    page.click("text=Add a condition")
    condition = page.locator("[data-row=condition]").last
    condition.locator("[data-field-select]").select_option("channel")
    condition.locator("[data-op-select]").select_option("is")
    condition.locator(".rule-value select").select_option("web")
    page.click("text=Add an action")
    team_action = page.locator("[data-row=action]").last
    team_action.locator("[data-type-select]").select_option("set_team")
    team_action.locator(".rule-action-value select").select_option(label="Billing")
    page.click("text=Add an action")
    tag_action = page.locator("[data-row=action]").last
    tag_action.locator("[data-type-select]").select_option("add_tags")
    tag_action.locator(".rule-action-value input").fill("web")
    page.click("button[type=submit].primary")
    page.wait_for_selector("text=Web form to Billing")
    assert "saved" in page.text_content(".flash")

    customer_page = page.context.browser.new_page()
    customer_page.goto(f"{live_server.url}/support/new/")
    customer_page.fill("#id_name", "Kalle Customer")
    customer_page.fill("#id_email", "kalle@example.com")
    customer_page.fill("#id_subject", "Invoice is wrong")
    customer_page.fill("#id_message", "The total is twice what it should be.")
    customer_page.click("button[type=submit]")
    customer_page.wait_for_selector("[data-testid=reference]")
    customer_page.close()

    ticket = Ticket.objects.get(customer__email="kalle@example.com")
    assert ticket.team == billing
    assert list(ticket.tags.values_list("name", flat=True)) == ["web"]
    assert ticket.assignee == biller  # Billing hands its tickets out round robin
    page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    page.click(".history summary")  # the history loads as it opens
    expect(page.locator(".history ol")).to_contain_text("Rule “Web form to Billing” ran")


@pytest.mark.parametrize("language", ["en", "fi"])
def test_rules_pages_screenshots(browser, live_server, language):
    from rules import services

    TeamFactory(name="Billing")
    manager = UserFactory(email=f"maija-{language}@helpdesk.test", name="Maija Manager",
                          role="manager", language=language)
    rule = services.create_rule(
        name="Web form to Billing", kind="trigger", events=["ticket.created"],
        conditions={"all": [{"field": "channel", "op": "is", "value": "web"}],
                    "any": [{"field": "subject", "op": "contains", "value": "invoice"}]},
        actions=[{"type": "add_tags", "value": ["web"]},
                 {"type": "email_team", "value": {"subject": {"en": "New: {{ticket.reference}}",
                                                              "fi": "Uusi: {{ticket.reference}}"},
                                                  "body": "{{ticket.url}}"}}])
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 1920):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        _sign_in(page, live_server, manager)
        for name, path in (("list", "/rules/"), ("form", f"/rules/{rule.pk}/"),
                           ("new", "/rules/new/?kind=automation")):
            page.goto(f"{live_server.url}{path}")
            assert page.get_attribute("html", "lang") == language
            page.screenshot(path=str(SHOTS / f"rules-{name}-{language}-{width}.png"),
                            full_page=True)
        context.close()
