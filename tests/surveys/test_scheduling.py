from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import Invitation, SurveyProgram
from tests.factories import OrganizationFactory
from tickets import services

Status = Invitation.Status


def test_new_installation_has_an_active_csat_program(db):
    program = SurveyProgram.objects.get(active=True)
    assert program.metric == "csat"
    assert program.question_fi and program.question_en


def test_closing_a_ticket_schedules_one_invitation_after_the_delay(program, ticket, close):
    before = timezone.now()
    close(ticket)
    invitation = Invitation.objects.get(ticket=ticket)
    assert invitation.status == Status.SCHEDULED
    assert invitation.metric == "csat"
    assert invitation.send_after >= before + timedelta(minutes=60)


def test_solving_does_not_schedule_a_close_program(program, ticket, close):
    close(ticket, solve_only=True)
    assert not Invitation.objects.exists()


def test_solve_program_schedules_on_solve_and_close_adds_nothing(program, ticket, close):
    program.trigger = SurveyProgram.Trigger.SOLVED
    program.save(update_fields=["trigger"])
    close(ticket, solve_only=True)
    assert Invitation.objects.get(ticket=ticket).status == Status.SCHEDULED
    with_close = close(ticket)
    assert Invitation.objects.filter(ticket=with_close).count() == 1


def test_reopen_before_sending_cancels_and_next_solve_schedules_anew(
        program, ticket, customer, close, django_capture_on_commit_callbacks):
    program.trigger = SurveyProgram.Trigger.SOLVED
    program.save(update_fields=["trigger"])
    close(ticket, solve_only=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.add_customer_message(ticket=ticket, customer=customer, body="Still broken")
    assert Invitation.objects.get(ticket=ticket).status == Status.CANCELLED
    close(ticket, solve_only=True)
    assert list(Invitation.objects.filter(ticket=ticket).values_list("status", flat=True)
                .order_by("pk")) == [Status.CANCELLED, Status.SCHEDULED]


def test_reopen_after_sending_keeps_the_sent_invitation(
        sent_invitation, ticket, customer, django_capture_on_commit_callbacks):
    ticket.refresh_from_db()
    assert sent_invitation.status == Status.SENT
    assert not Invitation.objects.filter(status=Status.CANCELLED).exists()


def test_program_for_another_channel_does_not_match(program, ticket, close):
    program.channels = ["chat"]
    program.save(update_fields=["channels"])
    close(ticket)
    invitation = Invitation.objects.get(ticket=ticket)
    assert (invitation.status, invitation.skip_reason) == (Status.SKIPPED, "no_program")


def test_first_matching_program_by_team_and_tier_wins(program, ticket, team, customer, close):
    organization = OrganizationFactory(tier="premium")
    customer.organization = organization
    customer.save(update_fields=["organization"])
    nps = SurveyProgram.objects.create(name="NPS premium", metric="nps", position=0,
                                       question_en="Recommend?", question_fi="Suosittelisitko?",
                                       tiers=["premium"])
    nps.teams.add(team)
    close(ticket)
    invitation = Invitation.objects.get(ticket=ticket)
    assert (invitation.program, invitation.metric) == (nps, "nps")


def test_program_of_another_tier_is_passed_over(program, ticket, close):
    SurveyProgram.objects.create(name="NPS enterprise", metric="nps", position=0,
                                 question_en="Recommend?", question_fi="Suosittelisitko?",
                                 tiers=["enterprise"])
    close(ticket)
    assert Invitation.objects.get(ticket=ticket).program == program


def test_inactive_program_is_ignored(program, ticket, close):
    program.active = False
    program.save(update_fields=["active"])
    close(ticket)
    assert Invitation.objects.get(ticket=ticket).skip_reason == "no_program"


@pytest.mark.parametrize("trigger", ["solved", "closed"])
def test_schedule_service_is_idempotent(program, ticket, trigger):
    from surveys.services import schedule_invitation

    program.trigger = trigger
    program.save(update_fields=["trigger"])
    assert schedule_invitation(ticket_id=ticket.pk, trigger=trigger) is not None
    assert schedule_invitation(ticket_id=ticket.pk, trigger=trigger) is None
    assert Invitation.objects.count() == 1
