"""End to end: an agent writes a reply with files (picked, dropped, pasted), CC, a
preview and a signature; refused input keeps everything typed. Screenshots of the
reply area and of the customer's portal thread (docs/replies.md)."""


import pytest
from django.urls import reverse

from tests.browser.shots import shots_dir
from tests.browser.signin import sign_in
from tests.factories import CustomerFactory
from tickets import services
from tickets.portal import auth
from tickets.services.compose import send_reply

from ..replies.conftest import PNG, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = shots_dir("compose")

DROP = """(form) => {
  const dt = new DataTransfer();
  dt.items.add(new File(["dropped"], "dropped.txt", {type: "text/plain"}));
  form.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
}"""
PASTE = """(box) => {
  const bytes = Uint8Array.from(atob("%s"), c => c.charCodeAt(0));
  const dt = new DataTransfer();
  dt.items.add(new File([bytes], "clip.png", {type: "image/png"}));
  box.dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
}"""


def _login(page, live_server, user, url):
    sign_in(page, live_server.url, user.email, path=url, ready="#reply-body")


@pytest.fixture
def setup(agent, team):
    agent.signature = "Best regards,\n{{ agent.name }}, {{ team.name }}"
    agent.save(update_fields=["signature"])
    customer = CustomerFactory(name="Kalle Customer", email="kalle@example.com", language="en")
    ticket = services.create_ticket(services.NewTicket(
        subject="Printer on fire", body="Smoke everywhere.", customer=customer, channel="email",
        team=team
    ))
    return ticket


def test_reply_with_files_cc_and_preview_keeps_text_on_every_error(page, live_server, agent,
                                                                   setup, settings, mailoutbox):
    import base64

    settings.HELPDESK_MAX_ATTACHMENT_BYTES = 50_000
    ticket = setup
    _login(page, live_server, agent, ticket.get_absolute_url())
    text = "Here is the **log** you asked for."
    page.fill("#reply-body", text)

    # Too large: refused in the browser, named, nothing typed lost.
    page.set_input_files("#reply-files", files=[
        {"name": "huge.log", "mimeType": "text/plain", "buffer": b"x" * 60_000}])
    error = page.locator("[data-file-error]")
    assert "huge.log" in error.inner_text()
    assert page.input_value("#reply-body") == text
    # A program, by name.
    page.set_input_files("#reply-files", files=[
        {"name": "setup.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"}])
    assert "setup.exe" in error.inner_text()

    page.set_input_files("#reply-files", files=[
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"some notes"}])
    page.locator("#reply-form").evaluate(DROP)
    page.locator("#reply-body").evaluate(PASTE % base64.b64encode(PNG).decode())
    items = page.locator("[data-file-list] li")
    assert items.count() == 3
    assert "dropped.txt" in items.nth(1).inner_text()
    assert "](cid:pasted-" in page.input_value("#reply-body")

    page.fill("input[name=cc]", "boss@example.com, not-an-address")
    page.click(".compose-preview-button")
    preview = page.locator(".compose-preview-card")
    preview.wait_for()
    assert "not-an-address" in preview.inner_text()
    assert "Aino Agent, Support" in preview.inner_text()  # the signature, before sending
    typed = page.input_value("#reply-body")

    # The server refuses the bad address: the page comes back with everything typed.
    with page.expect_navigation():
        page.click("button[value=send]")
    assert "not-an-address" in page.locator("#cc-error").inner_text()
    assert page.input_value("#reply-body") == typed
    assert page.input_value("input[name=cc]") == "boss@example.com, not-an-address"

    page.fill("input[name=cc]", "boss@example.com")
    page.set_input_files("#reply-files", files=[
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"some notes"}])
    with page.expect_navigation():
        page.click("button[value=send]")
    page.wait_for_selector(".msg-reply")
    reply = ticket.messages.get(author_type="agent")
    assert reply.cc == ["boss@example.com"]
    assert [a.filename for a in reply.attachments.all()] == ["notes.txt"]
    assert "notes.txt" in page.locator(".msg-reply .attachments").inner_text()
    assert "<strong>log</strong>" in reply.body_html and reply.signed


def _reply_area_shots(page, live_server, agent, ticket, lang):
    for width in (1280, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
        page.fill("#reply-body", "Hei,\n\n**Tässä** ohje:\n- käynnistä uudelleen\n- [ohje](https://example.com)")
        page.set_input_files("#reply-files", files=[
            {"name": "printer-manual.pdf", "mimeType": "application/pdf", "buffer": b"%PDF" * 40000},
            {"name": "settings.png", "mimeType": "image/png", "buffer": PNG}])
        page.fill("input[name=cc]", "boss@example.com")
        page.click(".compose-preview-button")
        page.locator(".compose-preview-card").wait_for()
        page.click(".compose-forward summary")
        page.locator(".reply-box").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"ticket-reply-{lang}-{width}.png"), full_page=True)


def test_screenshots_of_the_reply_area_and_the_portal(page, live_server, agent, setup):
    SHOTS.mkdir(parents=True, exist_ok=True)
    ticket = setup
    send_reply(ticket=ticket, agent=agent, body="See the **manual** and the photo.",
               cc="boss@example.com",
               files=[upload("manual.pdf", b"%PDF" * 300_000, "application/pdf"),
                      upload("photo.png", PNG, "image/png")])
    send_reply(ticket=ticket, agent=agent, body="Note: vendor knows.", public=False,
               files=[upload("internal.txt", b"secret")])
    _login(page, live_server, agent, ticket.get_absolute_url())
    for lang in ("en", "fi"):
        agent.language = lang
        agent.save(update_fields=["language"])
        _reply_area_shots(page, live_server, agent, ticket, lang)
    customer = ticket.customer
    for lang in ("en", "fi"):
        customer.language = lang
        customer.save(update_fields=["language"])
        token = auth.make_sign_in_token(customer)
        page.goto(f"{live_server.url}{reverse('portal:sign_in', args=[token])}")
        with page.expect_navigation():
            page.click("form button[type=submit]")
        for width in (1280, 1920):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{live_server.url}{reverse('portal:ticket', args=[ticket.pk])}")
            thread = page.locator(".portal-thread").inner_text()
            assert "manual.pdf" in thread and "internal.txt" not in thread
            page.screenshot(path=str(SHOTS / f"portal-thread-{lang}-{width}.png"), full_page=True)
