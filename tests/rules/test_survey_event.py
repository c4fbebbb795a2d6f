"""``survey.answered``: the surveys app's response_recorded signal reaches the rules."""

from surveys import services as survey_services
from surveys.services.answers import load_invitation
from tests.surveys.conftest import close, program, send_due, sent_invitation  # noqa: F401

from .conftest import emails, history


def test_low_survey_score_fires_a_rule_once(run, make_rule, sent_invitation):  # noqa: F811
    make_rule("Unhappy customer", events=["survey.answered"],
              all=[{"field": "survey_score", "op": "lt", "value": 3}],
              actions=[{"type": "email_address", "value": {
                  "to": "lead@example.com", "subject": "Unhappy: {{ticket.reference}}",
                  "body": "{{customer.name}} answered badly."}}])
    invitation = load_invitation(sent_invitation.pk)
    run(survey_services.record_response, invitation=invitation, score=1)
    run(survey_services.record_response, invitation=load_invitation(sent_invitation.pk),
        score=2)  # a changed answer fires nothing new
    (email,) = emails("rule")
    assert email.subject == f"Unhappy: {sent_invitation.ticket.reference}"
    assert ("survey.answered", "Unhappy customer") in history(sent_invitation.ticket)


def test_good_score_does_not_match(run, make_rule, sent_invitation):  # noqa: F811
    make_rule("Unhappy customer", events=["survey.answered"],
              all=[{"field": "survey_score", "op": "lt", "value": 3}],
              actions=[{"type": "email_address", "value": {
                  "to": "lead@example.com", "subject": "x", "body": "y"}}])
    run(survey_services.record_response, invitation=load_invitation(sent_invitation.pk), score=5)
    assert emails("rule") == []
