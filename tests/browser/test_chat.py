"""Live chat end to end: a visitor on the widget demo page and an agent in the workspace,
two browser contexts against a real ASGI server (daphne, websockets), chatting both ways,
ending and rating. Also the screenshots of both sides (1280 and 1920, en and fi)."""

import socket
import threading
import time

import pytest

from chat.models import Chat
from surveys.models import Response, SurveyProgram
from tests.browser.shots import shots_dir
from tests.browser.signin import sign_in
from tickets.models import Team, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = shots_dir("chat")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def asgi_server():
    """daphne serving helpdesk.asgi (with static files) in a thread of this process, so it
    sees the test database; Twisted's reactor runs once per process, hence the session."""
    from daphne.server import Server
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from helpdesk.asgi import application

    port = _free_port()
    server = Server(application=ASGIStaticFilesHandler(application),
                    endpoints=[f"tcp:port={port}:interface=127.0.0.1"],
                    signal_handlers=False)
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.1)
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def chat_setup(team, agent, settings):
    settings.DEBUG = False
    Team.objects.filter(pk=team.pk).update(assignment=Team.Assignment.MANUAL)
    SurveyProgram.objects.all().delete()
    SurveyProgram.objects.create(
        name="CSAT", metric="csat", question_en="How satisfied were you with the chat?",
        question_fi="Kuinka tyytyväinen olit keskusteluun?", trigger="closed")
    return agent


def _signed_in(context, asgi_server, agent):
    """A page of ``context`` signed in to the workspace as ``agent``."""
    desk = context.new_page()
    desk.set_default_timeout(15_000)
    sign_in(desk, asgi_server, agent.email)
    return desk


def _widget_form(context, asgi_server, words):
    """The widget demo page with the chat form open and the visitor's name and email in."""
    visitor = context.new_page()
    visitor.set_default_timeout(15_000)
    visitor.goto(f"{asgi_server}/support/widget/demo/")
    visitor.click(f"button.launcher:has-text('{words['launcher']}')")
    visitor.fill("#hd-name", "Kalle Customer")
    visitor.fill("#hd-email", "kalle@example.com")
    return visitor


def _shoot(page, name: str) -> None:
    for width in (1280, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(150)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})


WORDS = {
    "en": {"launcher": "Chat with us", "start": "Start chat", "end": "End chat",
           "rate": "Send rating", "rated": "Thank you for your feedback!", "joined": "joined"},
    "fi": {"launcher": "Keskustele kanssamme", "start": "Aloita keskustelu",
           "end": "Lopeta keskustelu", "rate": "Lähetä arvio", "rated": "Kiitos palautteestasi!",
           "joined": "liittyi"},
}


@pytest.mark.parametrize("language", ["en", "fi"])
def test_visitor_and_agent_chat_end_and_rate(browser, asgi_server, chat_setup, language):
    agent = chat_setup
    agent.language = language
    agent.save(update_fields=["language"])
    words = WORDS[language]
    desk_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=language)
    visitor_context = browser.new_context(viewport={"width": 1280, "height": 900},
                                          locale=language)
    try:
        desk = _signed_in(desk_context, asgi_server, agent)
        desk.goto(f"{asgi_server}/chats/")
        desk.wait_for_selector("#chat-list")

        visitor = _widget_form(visitor_context, asgi_server, words)
        visitor.fill("#hd-message", "Where is my order 1234?")
        if language == "en":
            _shoot(visitor, "widget-form-en")
        visitor.click(f"button.send:has-text('{words['start']}')")
        visitor.wait_for_selector(".msg.visitor:has-text('order 1234')")

        # The agent's inbox hears about the new chat over the socket and lists it.
        desk.wait_for_selector("#chat-list .chat-waiting:has-text('Kalle Customer')")
        desk.wait_for_function(
            "() => { const c = document.querySelector('[data-chat-count]');"
            " return c && !c.hidden && c.textContent === '1'; }")
        desk.click("#chat-list .chat-waiting a")
        desk.wait_for_selector("[data-chat-body]")
        desk.wait_for_timeout(300)  # the socket subscribes to the chat
        desk.fill("[data-chat-body]", "Hello Kalle, let me check.")
        desk.press("[data-chat-body]", "Enter")

        visitor.wait_for_selector(f".msg.system:has-text('{words['joined']}')")
        visitor.wait_for_selector(".msg.agent:has-text('let me check')")
        visitor.fill("textarea[placeholder]", "Thanks, it was ordered on Monday.")
        visitor.press("textarea[placeholder]", "Enter")
        desk.wait_for_selector(".chat-customer:has-text('ordered on Monday')")
        desk.fill("[data-chat-body]", "It ships today.")
        desk.press("[data-chat-body]", "Enter")
        visitor.wait_for_selector(".msg.agent:has-text('ships today')")
        _shoot(visitor, f"widget-chat-{language}")
        _shoot(desk, f"inbox-chat-{language}")

        # The conversation survives a reload of the visitor's page.
        visitor.reload()
        visitor.wait_for_selector(".msg.agent:has-text('ships today')")

        desk.click(f"button[data-end]:has-text('{words['end']}')")
        visitor.wait_for_selector(".rating .scores button")
        visitor.click(".rating .scores button:has-text('5')")
        visitor.fill("#hd-comment", "Very quick")
        _shoot(visitor, f"widget-rating-{language}")
        visitor.click(f".rating button.send:has-text('{words['rate']}')")
        visitor.wait_for_selector(f".msg.system:has-text('{words['rated']}')")
    finally:
        desk_context.close()
        visitor_context.close()

    chat = Chat.objects.select_related("ticket").get()
    assert chat.status == Chat.Status.ENDED and chat.rated
    assert chat.ticket.status == Ticket.Status.SOLVED
    assert list(chat.ticket.messages.values_list("author_type", flat=True)) == [
        "customer", "agent", "customer", "agent"]
    response = Response.objects.get(ticket=chat.ticket)
    assert (response.score, response.comment, response.channel, response.agent) == (
        5, "Very quick", "chat", agent)


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
FILE_WORDS = {"en": "is a program", "fi": "ohjelma"}


def _picture(width=160, height=100) -> bytes:
    """A real PNG (a gradient) so the thumbnail in the screenshots shows something."""
    import struct
    import zlib

    rows = b"".join(b"\x00" + bytes(v for x in range(width)
                                     for v in (40 + x // 2, 90 + y, 160, 255))
                    for y in range(height))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("language", ["en", "fi"])
def test_files_both_ways_in_the_chat(browser, asgi_server, chat_setup, language):
    """The visitor's paperclip and the agent's "Attach files" send files that appear on
    both sides as links (a thumbnail in the inbox); a program is refused in the widget."""
    agent = chat_setup
    agent.language = language
    agent.save(update_fields=["language"])
    words = WORDS[language]
    desk_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=language)
    visitor_context = browser.new_context(viewport={"width": 1280, "height": 900},
                                          locale=language)
    try:
        desk = _signed_in(desk_context, asgi_server, agent)

        visitor = _widget_form(visitor_context, asgi_server, words)
        visitor.fill("#hd-message", "The printer shows an error")
        visitor.click(f"button.send:has-text('{words['start']}')")
        visitor.wait_for_selector(".msg.visitor:has-text('printer')")
        visitor.set_input_files("input.picker", files=[
            {"name": "error-screen.png", "mimeType": "image/png", "buffer": _picture()},
            {"name": "printer-log.txt", "mimeType": "text/plain", "buffer": b"E42 paper jam\n"}])
        visitor.wait_for_selector(".msg.visitor .files a:has-text('printer-log.txt')")
        visitor.set_input_files("input.picker", files=[
            {"name": "fix.exe", "mimeType": "application/octet-stream", "buffer": b"MZ.."}])
        visitor.wait_for_selector(f".status.error:has-text('{FILE_WORDS[language]}')")

        chat = Chat.objects.get()
        desk.goto(f"{asgi_server}/chats/{chat.pk}/")
        desk.wait_for_selector(".chat-files a:has-text('error-screen.png') img")
        desk.wait_for_timeout(300)  # the socket subscribes to the chat
        desk.set_input_files("[data-chat-files]", files=[
            {"name": "reset-guide.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 guide"}])
        visitor.wait_for_selector(".msg.agent .files a:has-text('reset-guide.pdf')")
        desk.wait_for_selector(".chat-agent .chat-files a:has-text('reset-guide.pdf')")
        # The visitor's link downloads the file with the chat's token.
        href = visitor.get_attribute(".msg.agent .files a", "href")
        assert "/support/chat/" in href and "/files/" in href
        assert visitor.request.get(href).body() == b"%PDF-1.4 guide"
        for page, name in ((visitor, "widget-files"), (desk, "inbox-files")):
            _shoot(page, f"{name}-{language}")
    finally:
        desk_context.close()
        visitor_context.close()

    message = chat.ticket.messages.filter(author_type="agent").get()
    assert list(message.attachments.values_list("filename", flat=True)) == ["reset-guide.pdf"]
