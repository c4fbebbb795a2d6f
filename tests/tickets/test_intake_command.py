"""ingest_email (files, Maildir, mbox, stdin) and the InboundEmail admin (list, raw, retry)."""

import io
import mailbox
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tickets.models import InboundEmail, Ticket

from .test_intake import make_email


def run(*args, stdin: bytes | None = None, monkeypatch=None) -> list[str]:
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    call_command("ingest_email", *args, stdout=out)
    return out.getvalue().splitlines()


def test_ingest_file_prints_reference_and_outcome(db, tmp_path):
    path = tmp_path / "one.eml"
    path.write_bytes(make_email())
    [line] = run(str(path))
    ticket = Ticket.objects.get()
    assert line == f"{ticket.reference} created\t{path}"


def test_ingest_standard_input(db, monkeypatch):
    lines = run("-", "--quiet-labels", stdin=make_email(), monkeypatch=monkeypatch)
    assert lines == [f"{Ticket.objects.get().reference} created"]


def test_ingest_maildir_and_report_duplicates(db, tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(make_email(subject="one", msgid="<one@example.com>"))
    box.add(make_email(subject="two", msgid="<two@example.com>"))
    lines = run(str(tmp_path / "Maildir"), "--quiet-labels")
    assert sorted(line.split()[1] for line in lines) == ["created", "created"]
    again = run(str(tmp_path / "Maildir"), "--quiet-labels")
    assert [line.split()[1] for line in again] == ["duplicate", "duplicate"]


def test_ingest_mbox_with_several_messages(db, tmp_path):
    box = mailbox.mbox(tmp_path / "inbox.mbox", create=True)
    for i in range(3):
        box.add(make_email(subject=f"mbox {i}"))
    box.flush()
    lines = run(str(tmp_path / "inbox.mbox"), "--quiet-labels")
    assert len(lines) == 3
    assert Ticket.objects.count() == 3


def test_ingest_prints_skip_reason(db, tmp_path):
    path = tmp_path / "oof.eml"
    path.write_bytes(make_email(subject="Out of Office"))
    assert run(str(path), "--quiet-labels") == ["- skipped auto-reply"]


def test_ingest_missing_path_is_an_error(db, tmp_path):
    with pytest.raises(CommandError):
        run(str(tmp_path / "nope.eml"))


@pytest.fixture
def quarantined(db):
    return InboundEmail.objects.create(
        source=InboundEmail.Source.FILE, raw=make_email(subject="stuck"), dedup_key="mid:<q@x>",
        status=InboundEmail.Status.QUARANTINED, reason="error: boom", error="Traceback…")


def test_admin_lists_and_filters_inbound_email(client, admin_user, quarantined):
    client.force_login(admin_user)
    url = reverse("admin:tickets_inboundemail_changelist")
    response = client.get(url, {"status__exact": "quarantined", "source__exact": "file"})
    assert response.status_code == 200
    assert "error: boom" in response.content.decode()


def test_admin_raw_download_is_an_attachment(client, admin_user, quarantined):
    client.force_login(admin_user)
    response = client.get(reverse("admin:tickets_inboundemail_raw", args=[quarantined.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content == bytes(quarantined.raw)


def test_raw_download_needs_admin_access(client, agent, quarantined):
    client.force_login(agent)
    response = client.get(reverse("admin:tickets_inboundemail_raw", args=[quarantined.pk]))
    assert response.status_code == 302  # to the admin login


def test_admin_retry_action_processes_quarantined_mail(client, admin_user, quarantined):
    client.force_login(admin_user)
    response = client.post(reverse("admin:tickets_inboundemail_changelist"),
                           {"action": "retry_selected", "_selected_action": [quarantined.pk]})
    assert response.status_code == 302
    quarantined.refresh_from_db()
    assert quarantined.status == InboundEmail.Status.CREATED
    assert quarantined.ticket.subject == "stuck"


def test_poll_task_does_nothing_without_an_imap_host(db, settings):
    from tickets.tasks import poll_mailbox

    settings.IMAP_HOST = ""
    assert poll_mailbox() == 0


def test_poll_mailbox_command_reports_an_unreachable_server(db, settings):
    settings.IMAP_HOST, settings.IMAP_PORT, settings.IMAP_SSL = "127.0.0.1", 9, False
    with pytest.raises(CommandError, match="mailbox"):
        call_command("poll_mailbox")


def test_beat_polls_the_mailbox():
    from helpdesk.celery import app

    assert app.conf.beat_schedule["poll-mailbox"]["task"] == "tickets.tasks.poll_mailbox"
