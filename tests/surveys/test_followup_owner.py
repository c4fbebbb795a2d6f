"""A detractor's follow-up always has an owner and an alert: the team lead, the program's
fallback, then the managers (the least busy owns it, every manager is told)."""

from helpdesk.models import User
from surveys import services
from surveys.models import FollowUp
from surveys.services.answers import load_invitation
from tests.factories import UserFactory

from .conftest import survey_emails


def _answer_low(invitation):
    return services.record_response(invitation=load_invitation(invitation.pk), score=1)


def test_without_lead_or_fallback_a_manager_owns_it_and_every_manager_is_alerted(
        sent_invitation, manager):
    second = UserFactory(email="mark@helpdesk.test", role=User.Role.MANAGER)
    _answer_low(sent_invitation)
    follow_up = FollowUp.objects.get()
    assert follow_up.assignee == manager  # both have none open: the first
    assert sorted(e.to for e in survey_emails("survey_followup_alert")) == sorted(
        [manager.email, second.email])


def test_the_manager_with_fewest_open_follow_ups_owns_it(sent_invitation, manager):
    from tests.surveys.conftest import make_response

    second = UserFactory(email="mark@helpdesk.test", role=User.Role.MANAGER)
    busy = make_response(team=None, follow_up=True)
    FollowUp.objects.filter(response=busy).update(assignee=manager)
    _answer_low(sent_invitation)
    assert FollowUp.objects.exclude(response=busy).get().assignee == second


def test_an_inactive_fallback_is_skipped(sent_invitation, program, manager):
    program.followup_fallback = UserFactory(email="gone@helpdesk.test", is_active=False)
    program.save(update_fields=["followup_fallback"])
    _answer_low(sent_invitation)
    assert FollowUp.objects.get().assignee == manager


def test_the_lead_wins_over_the_managers(sent_invitation, team_lead, manager):
    _answer_low(sent_invitation)
    assert FollowUp.objects.get().assignee == team_lead
    assert [e.to for e in survey_emails("survey_followup_alert")] == [team_lead.email]


def test_admins_when_there_is_no_manager(sent_invitation, admin_user):
    _answer_low(sent_invitation)
    assert FollowUp.objects.get().assignee == admin_user
    assert [e.to for e in survey_emails("survey_followup_alert")] == [admin_user.email]
