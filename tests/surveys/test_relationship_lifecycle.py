"""A relationship invitation's life as a contact sees it: the reminder, expiry, the
unsubscribe link, the daily cap counting reminders too, and an important ticket's survey
going before a wave scheduled after it."""

import re
from datetime import date, timedelta

import pytest
import time_machine

from helpdesk.models import OutboundEmail
from surveys import services as survey_services
from surveys.models import Invitation, Kind, Response, SurveyProgram
from surveys.services import waves
from tests.factories import CustomerFactory, OrganizationFactory

Status, Reason = Invitation.Status, Invitation.SkipReason


@pytest.fixture
def program(db):
    return SurveyProgram.objects.create(
        name="Relationship NPS", kind=Kind.RELATIONSHIP, metric="nps", position=100,
        question_en="How likely are you to recommend us?", question_fi="Suosittelisitko?",
        interval_months=3, spread_days=5, expiry_days=14, reminder_after_hours=72)


@pytest.fixture
def person(db):
    return CustomerFactory(organization=OrganizationFactory(), time_zone="Europe/Helsinki")


@pytest.fixture
def sent(program, person, django_capture_on_commit_callbacks):
    """The person's wave invitation, sent at its morning send time."""
    wave = waves.start_wave(program=program, starts_on=date(2030, 1, 7))
    waves.schedule_wave(wave=wave)
    invitation = Invitation.objects.get(wave=wave, customer=person)
    _at(invitation.send_after + timedelta(minutes=1), django_capture_on_commit_callbacks)
    invitation.refresh_from_db()
    assert invitation.status == Status.SENT
    return invitation


def _at(moment, capture):
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return survey_services.send_due_surveys()


def _path(email: OutboundEmail, score: int) -> str:
    url = re.search(rf"^{score}: (http\S+)$", email.body_text, re.M).group(1)
    return "/" + url.split("/", 3)[3]


def test_one_reminder_after_the_hours_with_the_unsubscribe_header(
        sent, person, django_capture_on_commit_callbacks):
    assert _at(sent.sent_at + timedelta(hours=71), django_capture_on_commit_callbacks) == (0, 0)
    assert _at(sent.sent_at + timedelta(hours=73), django_capture_on_commit_callbacks) == (0, 1)
    assert _at(sent.sent_at + timedelta(hours=200), django_capture_on_commit_callbacks) == (0, 0)
    [reminder] = OutboundEmail.objects.filter(kind="survey_reminder", to=person.email)
    assert reminder.ticket_id is None and "overall" in reminder.body_text
    assert reminder.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_after_expiry_the_score_link_says_so_and_records_nothing(
        sent, person, client):
    email = OutboundEmail.objects.get(kind="survey_invitation", to=person.email)
    with time_machine.travel(sent.expires_at + timedelta(minutes=1), tick=False):
        page = client.post(_path(email, 9), {"score": 9})
    assert page.status_code == 410
    assert not Response.objects.filter(customer=person).exists()


def test_unsubscribing_stops_the_reminder_and_the_next_wave(
        sent, program, person, client, django_capture_on_commit_callbacks):
    email = OutboundEmail.objects.get(kind="survey_invitation", to=person.email)
    unsubscribe = email.headers["List-Unsubscribe"].strip("<>").split("/", 3)[3]
    assert client.get("/" + unsubscribe).status_code == 200  # a scanner's GET changes nothing
    person.refresh_from_db()
    assert not person.survey_opt_out
    assert client.post("/" + unsubscribe).status_code == 200
    assert _at(sent.sent_at + timedelta(hours=73), django_capture_on_commit_callbacks) == (0, 0)
    second = waves.start_wave(program=program, starts_on=date(2030, 4, 8))
    waves.schedule_wave(wave=second)
    later = Invitation.objects.get(wave=second, customer=person)
    assert (later.status, later.skip_reason) == (Status.SKIPPED, Reason.OPTED_OUT)


def test_the_daily_cap_counts_reminders(settings, program, django_capture_on_commit_callbacks):
    program.spread_days = 1
    program.save(update_fields=["spread_days"])
    for _ in range(3):
        CustomerFactory(organization=OrganizationFactory())
    wave = waves.start_wave(program=program, starts_on=date(2030, 1, 7))
    waves.schedule_wave(wave=wave)
    last = max(Invitation.objects.filter(wave=wave).values_list("send_after", flat=True))
    assert _at(last + timedelta(minutes=1), django_capture_on_commit_callbacks) == (3, 0)
    reminder_day = last + timedelta(hours=73)
    # Two other survey emails went out earlier that day; the cap is 4.
    settings.HELPDESK_SURVEY_DAILY_CAP = 4
    for _ in range(2):
        Invitation.objects.create(customer=CustomerFactory(), status=Status.SENT,
                                  send_after=reminder_day - timedelta(hours=1),
                                  sent_at=reminder_day - timedelta(hours=1))
    assert _at(reminder_day, django_capture_on_commit_callbacks) == (0, 2)
    assert survey_services.sending.sent_today(reminder_day) == 4
    assert _at(reminder_day + timedelta(minutes=5), django_capture_on_commit_callbacks) == (0, 0)
    assert _at(reminder_day + timedelta(days=1), django_capture_on_commit_callbacks) == (0, 1)


def test_an_important_ticket_survey_pending_preempts_a_wave_scheduled_after_it(
        program, person, team, close, django_capture_on_commit_callbacks):
    from tickets import services

    # A week's delay after close: the ticket survey is still pending when the wave goes.
    SurveyProgram.objects.filter(kind=Kind.TRANSACTIONAL).update(delay_minutes=60 * 24 * 7)
    ticket = services.create_ticket(services.NewTicket(
        subject="Down", body="x", customer=person, team=team, priority="urgent"))
    close(ticket)
    pending = Invitation.objects.get(ticket=ticket)
    assert pending.status == Status.SCHEDULED
    wave = waves.start_wave(program=program)
    waves.schedule_wave(wave=wave)
    mine = Invitation.objects.get(wave=wave, customer=person)
    assert mine.send_after < pending.send_after
    _at(mine.send_after + timedelta(minutes=1), django_capture_on_commit_callbacks)
    mine.refresh_from_db()
    assert (mine.status, mine.skip_reason) == (Status.SKIPPED, Reason.PREEMPTED)
    _at(pending.send_after + timedelta(minutes=1), django_capture_on_commit_callbacks)
    pending.refresh_from_db()
    assert pending.status == Status.SENT  # asked once, about the important ticket
