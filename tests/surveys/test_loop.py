"""Closing the loop: detractor follow-ups and alerts, promoter thank-yous."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from surveys import services
from surveys.models import FollowUp
from surveys.services.answers import load_invitation
from tests.factories import UserFactory

from .conftest import survey_emails


def _answer(invitation, score, comment=""):
    return services.record_response(invitation=load_invitation(invitation.pk), score=score,
                                    comment=comment)


def test_detractor_creates_a_follow_up_for_the_team_lead(sent_invitation, team_lead, team):
    response = _answer(sent_invitation, 2, "Took a week")
    follow_up = FollowUp.objects.get()
    assert (follow_up.response, follow_up.assignee, follow_up.team) == (response, team_lead, team)
    assert follow_up.status == FollowUp.Status.OPEN
    assert follow_up.due_at - follow_up.created_at == timedelta(hours=48)


def test_detractor_alert_email_goes_to_the_lead(sent_invitation, team_lead):
    _answer(sent_invitation, 1, "Took a week")
    alert = survey_emails("survey_followup_alert")[0]
    assert alert.to == team_lead.email
    assert sent_invitation.ticket.reference in alert.subject
    assert "Took a week" in alert.body_text and "/surveys/follow-ups/" in alert.body_text


def test_team_without_lead_falls_back_to_the_programs_owner(sent_invitation, program):
    owner = UserFactory(email="owner@helpdesk.test")
    program.followup_fallback = owner
    program.save(update_fields=["followup_fallback"])
    _answer(sent_invitation, 1)
    assert FollowUp.objects.get().assignee == owner
    assert survey_emails("survey_followup_alert")[0].to == owner.email


def test_without_lead_or_fallback_the_alert_goes_to_the_team_address(sent_invitation, team):
    _answer(sent_invitation, 1)
    assert FollowUp.objects.get().assignee is None
    assert survey_emails("survey_followup_alert")[0].to == team.email


@pytest.mark.parametrize("metric,score,detractor", [
    ("nps", 6, True), ("nps", 7, False), ("csat", 2, True), ("csat", 3, False),
    ("ces", 3, True), ("ces", 4, False),
])
def test_detractor_thresholds(metric, score, detractor):
    from surveys.models import is_detractor

    assert is_detractor(metric, score) is detractor


def test_passive_creates_no_follow_up(sent_invitation):
    _answer(sent_invitation, 3)
    assert not FollowUp.objects.exists()


def test_changing_to_detractor_later_creates_one_follow_up(sent_invitation, team_lead):
    _answer(sent_invitation, 4)
    _answer(sent_invitation, 1)
    _answer(sent_invitation, 2)
    assert FollowUp.objects.count() == 1


def test_promoter_gets_a_thank_you_with_the_review_link(sent_invitation, customer, client):
    import re

    _answer(sent_invitation, 5)
    thanks = survey_emails("survey_thanks")
    assert len(thanks) == 1 and thanks[0].to == customer.email
    # The review link is a tracked link of ours that leads on to the review site.
    link = re.search(r"http://\S+/surveys/a/\S+/", thanks[0].body_text).group(0)
    page = client.get(link.split("8000", 1)[1])
    assert page.status_code == 302 and page["Location"] == "https://reviews.example/helpdesk"


def test_no_thank_you_without_a_review_link(sent_invitation, program):
    program.review_url = ""
    program.save(update_fields=["review_url"])
    _answer(sent_invitation, 5)
    assert survey_emails("survey_thanks") == []


def test_thank_you_in_finnish_for_a_finnish_customer(sent_invitation, customer):
    customer.language = "fi"
    customer.save(update_fields=["language"])
    _answer(sent_invitation, 5)
    assert survey_emails("survey_thanks")[0].language == "fi"


def test_closing_a_follow_up_records_outcome_and_note(sent_invitation, team_lead):
    _answer(sent_invitation, 1)
    follow_up = services.close_follow_up(follow_up=FollowUp.objects.get(), user=team_lead,
                                         outcome="called_back", note="Apologised, refunded")
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.outcome, follow_up.note, follow_up.closed_by) == (
        "closed", "called_back", "Apologised, refunded", team_lead)
    assert follow_up.closed_at is not None


def test_closing_needs_a_known_outcome(sent_invitation, team_lead):
    _answer(sent_invitation, 1)
    with pytest.raises(ValidationError):
        services.close_follow_up(follow_up=FollowUp.objects.get(), user=team_lead,
                                 outcome="shrugged")
