"""What `make run` prints (docs/demo.md): each email readable with its links whole, and
each log line once."""

import io
import logging
import os

import pytest
from django.core.mail import EmailMultiAlternatives
from django.utils.log import configure_logging

from helpdesk.console_mail import EmailBackend

LINK = ("http://127.0.0.1:8000/surveys/r/WzEwMzcsMF0:1xYQqb:KPrGi9nWHX2-ooQJAXFKx1l"
        "l7k66UWK34e7f9zhFv6s/")


def test_the_console_prints_the_text_with_its_links_whole():
    stream = io.StringIO()
    message = EmailMultiAlternatives(
        subject="How did we do with your request HD-2001?",
        body=f"Hello Nea Newcomer, ääkköset too.\n\n0: {LINK}\n",
        from_email="Support <support@example.com>", to=["nea@example.com"],
        reply_to=["support+2001@example.com"],
        headers={"List-Unsubscribe": "<http://127.0.0.1:8000/u/>", "X-Other": "no"})
    message.attach_alternative("<p>Hello</p>", "text/html")
    message.attach("receipt.pdf", b"%PDF", "application/pdf")
    assert EmailBackend(stream=stream).send_messages([message]) == 1
    printed = stream.getvalue()
    assert f"\n0: {LINK}\n" in printed  # a whole line, not quoted-printable halves
    assert "ääkköset" in printed and "=\n" not in printed and "=C3" not in printed
    assert printed.startswith("From: Support <support@example.com>\nTo: nea@example.com\n")
    assert "Reply-To: support+2001@example.com\n" in printed
    assert "Subject: How did we do with your request HD-2001?\n" in printed
    assert "List-Unsubscribe: <http://127.0.0.1:8000/u/>" in printed
    assert "X-Other" not in printed and "<p>Hello</p>" not in printed
    assert "[+ text/html version; + file receipt.pdf]" in printed


@pytest.mark.skipif("EMAIL_BACKEND" in os.environ, reason="the environment chooses another")
def test_it_is_the_default_backend():
    from helpdesk import settings as project

    assert project.MAILERS["default"]["BACKEND"] == "helpdesk.console_mail.EmailBackend"


@pytest.fixture
def debug_logging(settings):
    """The project's logging as `make run` (DEBUG) configures it; put back afterwards."""
    settings.DEBUG = True
    yield lambda: configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


def test_each_server_log_line_is_printed_once(debug_logging, capsys):
    debug_logging()  # now, so that its handler writes to the captured stderr
    names = ("django.channels.server", "django.utils.autoreload", "helpdesk.scheduler")
    for name in names:
        logging.getLogger(name).info("HTTP GET /support/new/ 200 [%s]", name)
    err = capsys.readouterr().err
    for name in names:
        assert err.count(f"HTTP GET /support/new/ 200 [{name}]") == 1, err


def test_errors_still_reach_the_admins_in_production(mailoutbox, settings):
    settings.ADMINS = ["ops@example.com"]
    settings.DEBUG = False
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    try:
        logging.getLogger("django.request").error("Internal Server Error: /x/")
    finally:
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    assert [m.to for m in mailoutbox] == [["ops@example.com"]]
