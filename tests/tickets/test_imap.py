"""poll_mailbox against a real IMAP server: a throwaway Dovecot on loopback (.ci/imap-server.sh)."""

import imaplib
import io
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from tickets.models import InboundEmail, Ticket

from .test_intake import make_email

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "imap-server.sh"
BASH = shutil.which("bash") or "/bin/bash"

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not Path("/usr/sbin/dovecot").exists(),
                       reason="Dovecot is not installed (run .ci/imap-server.sh as root)"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def imap_server(settings):
    workdir = tempfile.mkdtemp(prefix="helpdesk-imap-")
    port = _free_port()
    started = subprocess.run(  # noqa: S603  (our own script, fixed arguments)
        [BASH, str(SCRIPT), "start", workdir, str(port)],
        capture_output=True, text=True, timeout=120, check=False)
    if started.returncode != 0:
        shutil.rmtree(workdir, ignore_errors=True)
        pytest.skip(f"could not start Dovecot: {started.stderr.strip()}")
    env = dict(line.split("=", 1) for line in started.stdout.split() if "=" in line)
    settings.IMAP_HOST, settings.IMAP_PORT = env["IMAP_HOST"], int(env["IMAP_PORT"])
    settings.IMAP_USER, settings.IMAP_PASSWORD = env["IMAP_USER"], env["IMAP_PASSWORD"]
    settings.IMAP_FOLDER, settings.IMAP_SSL = "INBOX", False
    yield env
    subprocess.run([BASH, str(SCRIPT), "stop", workdir],  # noqa: S603
                   capture_output=True, timeout=60, check=False)
    time.sleep(0.2)
    shutil.rmtree(workdir, ignore_errors=True)


def _client(env) -> imaplib.IMAP4:
    client = imaplib.IMAP4(env["IMAP_HOST"], int(env["IMAP_PORT"]))
    client.login(env["IMAP_USER"], env["IMAP_PASSWORD"])
    client.select("INBOX")
    return client


def _deliver(env, raw: bytes) -> None:
    client = _client(env)
    client.append("INBOX", "", imaplib.Time2Internaldate(time.time()), raw)
    client.logout()


def _flags(env) -> list[bytes]:
    client = _client(env)
    _typ, data = client.fetch("1:*", "(FLAGS)")
    client.logout()
    return [item for item in data if item]


def test_poll_mailbox_ingests_unseen_mail_and_marks_it_seen(db, imap_server):
    _deliver(imap_server, make_email(subject="From the mailbox", msgid="<imap1@example.com>"))
    assert b"\\Seen" not in _flags(imap_server)[0]
    out = io.StringIO()
    call_command("poll_mailbox", stdout=out)
    ticket = Ticket.objects.get()
    assert ticket.subject == "From the mailbox"
    assert out.getvalue().strip() == f"{ticket.reference} created"
    assert InboundEmail.objects.get().source == InboundEmail.Source.IMAP
    assert b"\\Seen" in _flags(imap_server)[0]


def test_poll_mailbox_skips_seen_mail_on_the_next_run(db, imap_server):
    _deliver(imap_server, make_email(subject="Once", msgid="<imap2@example.com>"))
    call_command("poll_mailbox", stdout=io.StringIO())
    out = io.StringIO()
    call_command("poll_mailbox", stdout=out)
    assert out.getvalue() == ""
    assert Ticket.objects.count() == 1


def test_message_stays_unseen_when_storing_fails(db, imap_server, monkeypatch):
    from tickets.intake import imap

    def down(raw, **kwargs):
        raise ConnectionError("database down")

    monkeypatch.setattr(imap, "receive_batch", down)
    _deliver(imap_server, make_email(subject="Later", msgid="<imap3@example.com>"))
    with pytest.raises(ConnectionError):
        imap.poll_mailbox()
    assert b"\\Seen" not in _flags(imap_server)[0]
