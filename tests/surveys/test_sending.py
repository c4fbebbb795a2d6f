import re
from datetime import timedelta

from django.core import mail
from django.core.management import call_command

from surveys.models import Invitation

from .conftest import survey_emails

Status = Invitation.Status


def test_nothing_is_sent_before_the_delay(program, ticket, close, send_due):
    close(ticket)
    assert send_due(hours=0.5) == (0, 0)
    assert Invitation.objects.get(ticket=ticket).status == Status.SCHEDULED


def test_due_invitation_is_sent_once(sent_invitation, send_due):
    assert sent_invitation.sent_at is not None
    assert sent_invitation.expires_at - sent_invitation.sent_at == timedelta(days=14)
    assert send_due(hours=3) == (0, 0)
    assert len(survey_emails()) == 1


def test_email_has_one_link_per_score_in_html_and_text(sent_invitation, customer):
    email = survey_emails()[0]
    assert email.to == customer.email
    text_links = re.findall(r"^(\d+): (http\S+/surveys/r/\S+/)$", email.body_text, re.M)
    assert [int(score) for score, _ in text_links] == [1, 2, 3, 4, 5]
    for _, url in text_links:
        assert f'href="{url}"' in email.body_html
    assert "<table" in email.body_html and "<script" not in email.body_html
    assert "How satisfied were you with our support?" in email.body_text


def test_email_has_one_click_unsubscribe_headers(sent_invitation):
    email = survey_emails()[0]
    assert re.fullmatch(r"<http\S+/surveys/unsubscribe/\S+/>", email.headers["List-Unsubscribe"])
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = email.headers["List-Unsubscribe"].strip("<>")
    assert url in email.body_text and url in email.body_html


def test_email_reaches_the_mailbox_with_both_parts(sent_invitation):
    message = [m for m in mail.outbox if "How did we do" in m.subject][0]
    assert message.alternatives[0].mimetype == "text/html"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_finnish_customer_gets_finnish_email(program, ticket, customer, close, send_due):
    customer.language = "fi"
    customer.save(update_fields=["language"])
    close(ticket)
    send_due()
    email = survey_emails()[0]
    assert email.language == "fi"
    assert "Kuinka tyytyväinen olit tukeemme?" in email.body_text
    assert "Kuinka tyytyväinen olit tukeemme?" in email.body_html
    assert "How satisfied" not in email.body_text


def test_english_customer_gets_english_email(sent_invitation):
    email = survey_emails()[0]
    assert email.language == "en"
    assert email.subject == f"How did we do with your request {sent_invitation.ticket.reference}?"


def test_one_reminder_after_the_configured_hours(program, ticket, close, send_due):
    program.reminder_after_hours = 48
    program.save(update_fields=["reminder_after_hours"])
    close(ticket)
    send_due(hours=2)
    assert send_due(hours=24) == (0, 0)
    assert send_due(hours=51) == (0, 1)
    assert send_due(hours=100) == (0, 0)
    reminder = survey_emails("survey_reminder")
    assert len(reminder) == 1 and reminder[0].subject.startswith("Reminder:")


def test_no_reminder_when_answered(program, ticket, close, send_due):
    from surveys import services

    program.reminder_after_hours = 48
    program.save(update_fields=["reminder_after_hours"])
    close(ticket)
    send_due(hours=2)
    invitation = services.answers.load_invitation(Invitation.objects.get().pk)
    services.record_response(invitation=invitation, score=4,
                             now=invitation.sent_at + timedelta(hours=1))
    assert send_due(hours=51) == (0, 0)


def test_command_sends_due_surveys(program, ticket, close, django_capture_on_commit_callbacks):
    import io

    import time_machine
    from django.utils import timezone

    close(ticket)
    out = io.StringIO()
    with (time_machine.travel(timezone.now() + timedelta(hours=2), tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        call_command("send_due_surveys", stdout=out)
    assert out.getvalue().strip() == "1 invitations sent, 0 reminders sent"
    assert Invitation.objects.get().status == Status.SENT


def test_celery_task_sends_due_surveys(program, ticket, close):
    import time_machine
    from django.utils import timezone

    from surveys.tasks import send_due_surveys

    close(ticket)
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        assert send_due_surveys.delay().get() == (1, 0)


def test_beat_runs_the_task():
    from helpdesk.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "surveys.tasks.send_due_surveys" in tasks


def test_finnish_subject_uses_the_finnish_catalogue(program, ticket, customer, close, send_due):
    from django.utils import translation

    msgid = "How did we do with your request %(ref)s?"
    with translation.override("fi"):
        translated = translation.gettext(msgid)
    assert translated != msgid, "the Finnish catalogue lacks the survey subject"
    customer.language = "fi"
    customer.save(update_fields=["language"])
    close(ticket)
    send_due()
    assert survey_emails()[0].subject == translated % {"ref": ticket.reference}
