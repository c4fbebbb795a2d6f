"""What an agent sees on the queue and ticket pages (issue 19's agent items), in Chromium:
saved filters, a header that follows the side panel, the stale-reply warning (two agents),
internal-note mode and the merge confirmation. Screenshots at 1280, 1440 and 1920 px in
English and Finnish go to artifacts/screenshots/agent-pages/ (tests/browser/shots.py)."""


import pytest
from playwright.sync_api import expect

from tests.browser.shots import shots_dir
from tests.browser.test_agent_flow import _sign_in
from tests.factories import CustomerFactory
from tickets import services
from tickets.models import Message, SavedFilter, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = shots_dir("agent-pages")
WIDTHS = (1280, 1440, 1920)


def _tickets(team, customer=None):
    # The default SLA policies a fresh install has (a transactional test flushed them).
    from tests.browser.test_first_hour import fresh_install

    fresh_install()
    customer = customer or CustomerFactory(name="Anna Asiakas", email="anna@example.com")
    first = services.create_ticket(services.NewTicket(
        subject="Printer on fire", body="Smoke everywhere.", customer=customer, channel="email",
        team=team
    ))
    second = services.create_ticket(services.NewTicket(
        subject="Printer still smoking", body="Again.", customer=customer, channel="web", team=team,
        priority="urgent"
    ))
    services.create_ticket(services.NewTicket(
        subject="Invoice question", body="Why?", customer=CustomerFactory(), team=team,
        channel="phone"
    ))
    return first, second


def _no_sideways_scroll(page):
    """The page's content fits the window (the top bar at 1280 px is fh-pages' item)."""
    assert page.evaluate("() => document.querySelector('main').scrollWidth <= window.innerWidth")


def test_saving_a_filter_after_changing_dropdowns_saves_the_current_query(page, live_server,
                                                                          agent, team):
    _tickets(team)
    _sign_in(page, live_server, agent)
    page.goto(f"{live_server.url}/?view=open")
    # The sidebar's counts arrive in their own request once the page has shown.
    expect(page.locator("#queue-count-open")).to_have_text("3")  # _tickets opens three
    with page.expect_response(lambda r: "priority=urgent" in r.url):
        page.select_option("form.filters select[name=priority]", "urgent")
    page.wait_for_function(
        "() => document.getElementById('save-filter-query').value.includes('priority=urgent')")
    page.fill("#filter-name", "Urgent ones")
    page.click("#save-filter button[type=submit]")
    page.wait_for_selector("li.saved-filter:has-text('Urgent ones')")
    saved = SavedFilter.objects.get(user=agent, name="Urgent ones")
    assert "priority=urgent" in saved.query and "view=open" in saved.query
    # The count arrives in the sidebar's own request, after the page has shown.
    count = page.locator("li.saved-filter:has-text('Urgent ones') [data-saved-count]")
    expect(count).to_have_text("1")
    page.click("li.saved-filter a:has-text('Urgent ones')")
    page.wait_for_selector("td.subject a:has-text('Printer still smoking')")
    assert page.locator("table.tickets tbody tr").count() == 1


def test_header_follows_side_panel_changes(page, live_server, agent, team):
    ticket, _ = _tickets(team)
    _sign_in(page, live_server, agent)
    page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    due_before = page.inner_text("#head-sla")
    with page.expect_response(lambda r: "/properties/" in r.url):
        page.select_option("#sidepanel select[name=priority]", "urgent")
    page.wait_for_function(
        "() => document.getElementById('head-priority').textContent.trim() === 'Urgent'")
    page.wait_for_function(
        "(before) => document.getElementById('head-sla').textContent !== before", arg=due_before)
    with page.expect_response(lambda r: "/properties/" in r.url):
        page.select_option("#sidepanel select[name=status]", "pending")
    page.wait_for_function(
        "() => document.getElementById('head-status').textContent.trim() === 'Pending'")
    # The waits above fail on timeout; the header now says what the side panel set.
    assert page.inner_text("#head-priority").strip() == "Urgent"
    assert page.inner_text("#head-status").strip() == "Pending"


def test_stale_reply_warns_and_sends_anyway_without_losing_text(browser, page, live_server,
                                                                agent, team_lead, team):
    ticket, _ = _tickets(team)
    _sign_in(page, live_server, agent)
    page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    page.fill("#reply-body", "Hello Anna, we are replacing the printer.")

    lead = browser.new_context(viewport={"width": 1280, "height": 860})
    try:
        lead_page = lead.new_page()
        _sign_in(lead_page, live_server, team_lead)
        lead_page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
        lead_page.fill("#reply-body", "Anna, a technician is on the way.")
        lead_page.click("button[value=send]")
        lead_page.wait_for_selector(".msg-reply")
    finally:
        lead.close()

    page.click("button[data-send]")
    warning = page.wait_for_selector("[data-stale-warning]")
    assert "This ticket was updated since you opened it" in warning.inner_text()
    assert "a technician is on the way" in warning.inner_text()
    assert page.input_value("#reply-body") == "Hello Anna, we are replacing the printer."
    assert not Message.objects.filter(body_text__startswith="Hello Anna").exists()
    if SHOTS.exists():
        page.screenshot(path=str(SHOTS / "stale-warning-en-1280.png"), full_page=True)

    page.click("[data-stale-cancel]")  # cancel: the warning goes, the text stays
    assert not page.is_visible("[data-stale-warning]")
    assert page.input_value("#reply-body") == "Hello Anna, we are replacing the printer."
    page.click("button[data-send]")  # the page now shows the lead's reply: it sends
    page.wait_for_selector(".msg-reply:has-text('replacing the printer')")
    assert Message.objects.filter(body_text__startswith="Hello Anna", public=True).count() == 1


def test_send_anyway_button_sends(browser, page, live_server, agent, team_lead, team):
    ticket, _ = _tickets(team)
    _sign_in(page, live_server, agent)
    page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    services.apply_ticket_changes(ticket=ticket, changes={"priority": "high"}, actor=team_lead,
                                  source="web")
    page.fill("#reply-body", "Noted.")
    page.check("input[name=kind][value=note]")
    page.click("button[data-send]")
    warning = page.wait_for_selector("[data-stale-warning]")
    assert "Changed the priority from Normal to High" in warning.inner_text()
    assert page.is_checked("input[name=kind][value=note]")
    page.click("[data-send-anyway]")
    page.wait_for_selector(".msg-note:has-text('Noted.')")
    assert Message.objects.get(body_text="Noted.").public is False


def test_internal_note_mode_changes_words_and_look(page, live_server, agent, team):
    ticket, _ = _tickets(team)
    _sign_in(page, live_server, agent)
    page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    send = page.locator("button[data-send]")
    assert send.inner_text().strip() == "Send"
    assert "Write to Anna Asiakas" in page.get_attribute("#reply-body", "placeholder")
    page.check("input[name=kind][value=note]")
    page.wait_for_function("() => document.querySelector('button[data-send]').textContent === 'Add note'")
    assert page.get_attribute("#reply-body", "placeholder") == "Write an internal note…"
    assert page.is_visible("[data-note-banner]")
    assert "is-note" in page.get_attribute(".reply-box", "class")
    page.check("input[name=kind][value=reply]")
    page.wait_for_function("() => document.querySelector('button[data-send]').textContent === 'Send'")


def test_merge_asks_to_confirm_showing_both_tickets(page, live_server, agent, team):
    source, target = _tickets(team)
    _sign_in(page, live_server, agent)
    page.goto(f"{live_server.url}{source.get_absolute_url()}")
    page.fill("input[name=target]", target.reference)
    page.click("form[action$='/merge/'] button[type=submit]")
    page.wait_for_selector(".merge-confirm")
    text = page.inner_text("main")
    assert "Printer on fire" in text and "Printer still smoking" in text
    source.refresh_from_db()
    assert source.merged_into_id is None
    page.click(".merge-confirm button.primary")
    page.wait_for_selector(f".msg-system:has-text('Merged 1 message from {source.reference}.')")
    source.refresh_from_db()
    assert source.merged_into_id == target.pk


def test_exact_reference_in_the_search_box_opens_the_ticket(page, live_server, agent, team):
    ticket, _ = _tickets(team)
    _sign_in(page, live_server, agent)
    page.fill("#global-search", ticket.reference)
    page.press("#global-search", "Enter")
    page.wait_for_url(f"**{ticket.get_absolute_url()}")
    assert page.inner_text("#ticket-head h1") == "Printer on fire"


@pytest.mark.parametrize("language", ["en", "fi"])
def test_changed_pages_fit_each_width(browser, live_server, agent, team, language):
    """Screenshots of every page this work changed, at three widths, and no sideways scroll."""
    agent.language = language
    agent.save(update_fields=["language"])
    source, target = _tickets(team)
    services.change_priority(ticket=source, priority="urgent", actor=agent)  # SLA policy event
    services.reply_to_ticket(ticket=source, agent=agent, body="A note", public=False)
    SavedFilter.objects.create(user=agent, name="Urgent", query="view=open&priority=urgent")
    SavedFilter.objects.create(user=agent, name="Phone calls", query="view=all&channel=phone",
                               position=1)
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        try:
            _sign_in(page, live_server, agent)
            shots = [("queue", "/"), ("ticket", source.get_absolute_url()),
                     ("new-ticket", "/tickets/new/")]
            for name, path in shots:
                page.goto(f"{live_server.url}{path}")
                if name == "ticket":
                    page.click(".history summary")
                    page.wait_for_selector(".history ol")  # loaded as it opens
                    page.check("input[name=kind][value=note]")
                if SHOTS.exists():
                    page.screenshot(path=str(SHOTS / f"{name}-{language}-{width}.png"),
                                    full_page=True)
                if name != "queue":  # the list's columns at 1280 px are fh-pages' (issue 19)
                    _no_sideways_scroll(page)
            page.goto(f"{live_server.url}{source.get_absolute_url()}")
            page.fill("input[name=target]", target.reference)
            page.click("form[action$='/merge/'] button[type=submit]")
            page.wait_for_selector(".merge-confirm")
            _no_sideways_scroll(page)
            if SHOTS.exists():
                page.screenshot(path=str(SHOTS / f"merge-confirm-{language}-{width}.png"),
                                full_page=True)
        finally:
            context.close()
    assert Ticket.objects.get(pk=source.pk).merged_into_id is None
