"""Relationship programs: waves over mornings in each contact's zone, the one contact
budget across kinds, the daily cap, answers without a ticket, CSV contact lists."""

import re
import zoneinfo
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from helpdesk.models import OutboundEmail
from surveys import services as survey_services
from surveys.forms import SurveyProgramForm
from surveys.models import FollowUp, Invitation, Kind, Response, SurveyProgram
from surveys.services import waves
from surveys.services.budget import may_contact
from surveys.services.contacts import import_contacts
from tests.factories import CustomerFactory, OrganizationFactory

Status, Reason = Invitation.Status, Invitation.SkipReason


@pytest.fixture
def relationship_program(db):
    return SurveyProgram.objects.create(
        name="Relationship NPS", kind=Kind.RELATIONSHIP, metric="nps", position=100,
        question_en="How likely are you to recommend us to a colleague?",
        question_fi="Kuinka todennäköisesti suosittelisit meitä kollegallesi?",
        passive_question_en="What would make it a 10?",
        passive_question_fi="Mikä tekisi siitä kympin?",
        interval_months=3, spread_days=5, expiry_days=14, reminder_after_hours=72)


@pytest.fixture
def contacts(db):
    helsinki = OrganizationFactory(name="Helsinki Oy", tier="premium")
    newyork = OrganizationFactory(name="New York Inc", tier="standard")
    people = [CustomerFactory(organization=helsinki, time_zone="Europe/Helsinki")
              for _ in range(6)]
    people += [CustomerFactory(organization=newyork, time_zone="America/New_York")
               for _ in range(6)]
    return people


def _local(invitation):
    zone = zoneinfo.ZoneInfo(invitation.customer.time_zone or "Europe/Helsinki")
    return invitation.send_after.astimezone(zone)


def test_wave_spreads_sends_over_working_day_mornings_in_each_zone(relationship_program,
                                                                    contacts):
    monday = date(2026, 3, 2)
    wave = waves.start_wave(program=relationship_program, starts_on=monday)
    assert waves.schedule_wave(wave=wave, batch_size=5) == (12, 0)
    invitations = Invitation.objects.filter(wave=wave).select_related("customer")
    days = set()
    for invitation in invitations:
        local = _local(invitation)
        assert 9 <= local.hour < 12 and local.weekday() < 5
        days.add(local.date())
        assert invitation.kind == Kind.RELATIONSHIP and invitation.ticket_id is None
    assert len(days) == 5  # spread over the program's five working days, not one burst
    wave.refresh_from_db()
    assert (wave.starts_on, wave.ends_on) == (monday, date(2026, 3, 6))


def test_a_wave_asks_each_contact_once_however_often_scheduled(relationship_program, contacts):
    wave = waves.start_wave(program=relationship_program, starts_on=date(2026, 3, 2))
    waves.schedule_wave(wave=wave)
    assert waves.schedule_wave(wave=wave) == (12, 0)
    assert Invitation.objects.filter(wave=wave).count() == 12


def test_every_skip_keeps_its_reason(relationship_program, contacts):
    contacts[0].survey_opt_out = True
    contacts[0].save()
    contacts[1].bounced = True
    contacts[1].save()
    Invitation.objects.create(customer=contacts[2], kind=Kind.TRANSACTIONAL, status=Status.SENT,
                              send_after=timezone.now(), sent_at=timezone.now())
    wave = waves.start_wave(program=relationship_program)
    waves.schedule_wave(wave=wave)
    skipped = dict(Invitation.objects.filter(wave=wave, status=Status.SKIPPED)
                   .values_list("customer_id", "skip_reason"))
    assert skipped == {contacts[0].pk: Reason.OPTED_OUT, contacts[1].pk: Reason.BOUNCED,
                       contacts[2].pk: Reason.BUDGET}


def test_churned_organizations_and_other_tiers_are_not_asked(relationship_program, contacts):
    relationship_program.audience = SurveyProgram.Audience.TIER
    relationship_program.tiers = ["premium"]
    relationship_program.save()
    wave = waves.start_wave(program=relationship_program)
    waves.schedule_wave(wave=wave)
    assert {i.customer.organization.name for i in Invitation.objects.filter(wave=wave)} == {
        "Helsinki Oy"}
    contacts[0].organization.churned_at = timezone.localdate()
    contacts[0].organization.save()
    second = waves.start_wave(program=relationship_program)
    assert waves.schedule_wave(wave=second) == (0, 0)


def test_a_program_asking_more_often_than_the_budget_is_refused(settings, db):
    settings.HELPDESK_CONTACT_WINDOW_DAYS = 45
    form = SurveyProgramForm(data={
        "name": "Too often", "kind": "relationship", "metric": "nps", "question_en": "Q?",
        "question_fi": "K?", "trigger": "closed", "delay_minutes": 0, "throttle_days": 30,
        "expiry_days": 14, "followup_due_hours": 48, "position": 1, "audience": "all",
        "interval_months": 1, "spread_days": 5})
    assert not form.is_valid()
    assert "contact window of 45 days" in form.errors["interval_months"][0]


def test_daily_cap_holds_back_the_rest_for_the_next_day(
        settings, sent_invitation, relationship_program, contacts,
        django_capture_on_commit_callbacks):
    settings.HELPDESK_SURVEY_DAILY_CAP = 5  # the transactional survey already used one
    wave = waves.start_wave(program=relationship_program, starts_on=date(2030, 1, 7))
    waves.schedule_wave(wave=wave)
    later = datetime(2030, 1, 18, 12, tzinfo=zoneinfo.ZoneInfo("UTC"))
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert survey_services.send_due_invitations() == 5
        assert survey_services.send_due_invitations() == 0  # the cap of the day is spent
    with time_machine.travel(later + timedelta(days=1), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        assert survey_services.send_due_invitations() == 5


def test_important_ticket_survey_goes_before_a_scheduled_wave(
        relationship_program, customer, team, close):
    from tickets import services

    organization = OrganizationFactory()
    customer.organization = organization
    customer.save()
    wave = waves.start_wave(program=relationship_program)
    waves.schedule_wave(wave=wave)
    ticket = services.create_ticket(services.NewTicket(
        subject="Down", body="x", customer=customer, team=team, priority="urgent"
    ))
    close(ticket)
    assert Invitation.objects.get(ticket=ticket).status == Status.SCHEDULED
    relationship = Invitation.objects.get(wave=wave, customer=customer)
    assert (relationship.status, relationship.skip_reason) == (Status.SKIPPED, Reason.PREEMPTED)


def test_normal_ticket_survey_waits_for_the_budget_after_a_relationship_ask(
        relationship_program, customer, team, close):
    from tickets import services

    Invitation.objects.create(customer=customer, kind=Kind.RELATIONSHIP, status=Status.SENT,
                              send_after=timezone.now(), sent_at=timezone.now() - timedelta(days=3))
    ticket = services.create_ticket(services.NewTicket(
        subject="Hi", body="x", customer=customer, team=team
    ))
    close(ticket)
    invitation = Invitation.objects.get(ticket=ticket)
    assert (invitation.status, invitation.skip_reason) == (Status.SKIPPED, Reason.BUDGET)


def test_chat_ratings_count_against_the_budget(settings, customer):
    settings.HELPDESK_CONTACT_SOURCES = ["tests.surveys.test_relationship.chat_ratings"]
    assert not may_contact(customer)
    settings.HELPDESK_CONTACT_SOURCES = []
    assert may_contact(customer)


def chat_ratings(customer_ids, since):
    """A stand-in source of in-chat ratings: everyone was asked an hour ago."""
    return {pk: timezone.now() - timedelta(hours=1) for pk in customer_ids}


def _send_wave(program, customer, django_capture_on_commit_callbacks):
    wave = waves.start_wave(program=program)
    waves.schedule_wave(wave=wave)
    invitation = Invitation.objects.get(wave=wave, customer=customer)
    with time_machine.travel(invitation.send_after + timedelta(minutes=1), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        survey_services.send_due_invitations()
    invitation.refresh_from_db()
    return invitation


def test_relationship_answer_has_no_ticket_and_a_detractor_gets_a_follow_up(
        relationship_program, contacts, manager, django_capture_on_commit_callbacks, client):
    person = contacts[0]
    invitation = _send_wave(relationship_program, person, django_capture_on_commit_callbacks)
    email = OutboundEmail.objects.get(kind="survey_invitation", to=person.email)
    assert "how we are doing overall" in email.body_text and email.ticket_id is None
    url = re.search(r"^3: (http\S+)$", email.body_text, re.M).group(1)
    path = "/" + url.split("/", 3)[3]
    with time_machine.travel(invitation.sent_at + timedelta(hours=1), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        assert client.post(path, {"score": 3, "comment": "Slow"}).status_code == 302
    response = Response.objects.get(customer=person)
    assert (response.kind, response.ticket_id, response.wave_id) == (
        Kind.RELATIONSHIP, None, invitation.wave_id)
    assert response.organization_id == person.organization_id
    follow_up = FollowUp.objects.get(response=response)
    assert follow_up.ticket_id is None and follow_up.assignee == manager
    assert OutboundEmail.objects.filter(kind="survey_followup_alert", to=manager.email).exists()


def test_passives_are_asked_what_would_make_it_a_ten(relationship_program, contacts, client,
                                                      django_capture_on_commit_callbacks):
    _send_wave(relationship_program, contacts[0], django_capture_on_commit_callbacks)
    text = OutboundEmail.objects.get(to=contacts[0].email).body_text
    url = re.search(r"^8: (http\S+)$", text, re.M).group(1)
    page = client.get("/" + url.split("/", 3)[3]).content.decode()
    assert 'data-passive="What would make it a 10?"' in page
    assert ">What would make it a 10?</strong>" in page


def test_csv_contacts_report_each_malformed_row_and_import_the_rest(relationship_program):
    OrganizationFactory(name="Acme Oy")
    report = import_contacts(program=relationship_program, text=(
        "email,name,organization,language,time_zone\n"
        "anna@acme.fi,Anna,Acme Oy,fi,Europe/Helsinki\n"
        "not-an-address,Bad,,,\n"
        "bob@acme.fi,Bob,Nobody Ltd,en,\n"
        "cecilia@acme.fi,Cecilia,,sv,\n"
        "dan@acme.fi,Dan,,en,Mars/Olympus\n"
        "eve@acme.fi,Eve,acme oy,en,\n"))
    assert report.imported == 2 and report.created == 2
    assert [line for line, _ in report.errors] == [3, 4, 5, 6]
    assert "not-an-address" in report.errors[0][1] and "Nobody Ltd" in report.errors[1][1]
    assert relationship_program.contacts.count() == 2


def test_csv_without_an_email_column_is_refused(relationship_program):
    report = import_contacts(program=relationship_program, text="name\nAnna\n")
    assert report.imported == 0 and report.errors[0][0] == 1


def test_contacts_page_shows_the_row_report(client, manager, relationship_program):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(manager)
    upload = SimpleUploadedFile("c.csv", b"email\nok@x.fi\nbroken\n", content_type="text/csv")
    page = client.post(f"/surveys/programs/{relationship_program.pk}/contacts/",
                       {"file": upload}).content.decode()
    assert "Line 3" in page and "1 contacts imported" in page


def test_schedule_command_prints_its_figures(relationship_program, contacts):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("schedule_relationship_wave", str(relationship_program.pk),
                 "--start", "2030-01-07", stdout=out)
    assert re.search(r"12 scheduled, 0 skipped, 2030-01-07\.\.2030-01-11", out.getvalue())


def test_under_the_cap_the_transactional_survey_goes_first(
        settings, program, ticket, close, relationship_program, contacts,
        django_capture_on_commit_callbacks):
    settings.HELPDESK_SURVEY_DAILY_CAP = 1
    close(ticket)
    wave = waves.start_wave(program=relationship_program)
    waves.schedule_wave(wave=wave)
    with time_machine.travel(timezone.now() + timedelta(days=10), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        assert survey_services.send_due_invitations() == 1
    assert Invitation.objects.get(status=Status.SENT).ticket_id == ticket.pk
