"""The score link: token checks, scanner safety, idempotent clicks, changes, comments."""

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from surveys.models import Invitation, Response
from surveys.tokens import SCORE_SALT, make_score_token
from tickets import services

from .conftest import score_path


def test_get_shows_the_score_preselected_and_records_nothing(sent_invitation, client):
    page = client.get(score_path(4))
    assert page.status_code == 200
    assert b'value="4" checked' in page.content
    assert not Response.objects.exists()


def test_scanner_fetching_every_link_records_nothing(sent_invitation, client):
    for score in range(1, 6):
        client.get(score_path(score))
        client.head(score_path(score))
    assert not Response.objects.exists()
    assert Invitation.objects.get().status == Invitation.Status.SENT


def test_scanner_get_never_overwrites_a_confirmed_score(sent_invitation, client):
    client.post(score_path(5), {"score": 5})
    client.get(score_path(1))
    assert Response.objects.get().score == 5


def test_confirm_records_the_response_with_the_ticket_snapshot(sent_invitation, client, agent,
                                                                team):
    page = client.post(score_path(4), {"score": 4, "comment": ""})
    assert page.status_code == 302 and page["Location"].endswith("?saved=1")
    response = Response.objects.get()
    assert (response.metric, response.score, response.scale_min, response.scale_max) == (
        "csat", 4, 1, 5)
    assert (response.channel, response.agent, response.team) == ("email", agent, team)
    assert Invitation.objects.get().status == Invitation.Status.ANSWERED


def test_snapshot_survives_reassignment(sent_invitation, client, agent, team, other_team):
    client.post(score_path(4), {"score": 4})
    services.change_team(ticket=sent_invitation.ticket, team=other_team, actor=agent)
    response = Response.objects.get()
    assert (response.team, response.agent) == (team, agent)


def test_thank_you_page_after_confirming(sent_invitation, client):
    path = score_path(4)
    page = client.post(path, {"score": 4}, follow=True)
    assert b"Thank you! Your answer 4 has been saved." in page.content


def test_same_click_twice_is_idempotent(sent_invitation, client):
    client.post(score_path(4), {"score": 4})
    client.post(score_path(4), {"score": 4})
    assert Response.objects.count() == 1
    assert Response.objects.get().score == 4


def test_later_click_changes_the_score(sent_invitation, client):
    client.post(score_path(4), {"score": 4})
    page = client.get(score_path(2))
    assert b"Your current answer is 4" in page.content
    client.post(score_path(2), {"score": 2})
    assert list(Response.objects.values_list("score", flat=True)) == [2]


def test_comment_is_stored_and_shown_again(sent_invitation, client):
    path = score_path(5)
    client.post(path, {"score": 5})
    client.post(path, {"score": 5, "comment": "  Quick and friendly  "})
    assert Response.objects.get().comment == "Quick and friendly"
    assert b"Quick and friendly</textarea>" in client.get(path).content


def test_score_outside_the_scale_is_refused(sent_invitation, client):
    page = client.post(score_path(5), {"score": 9})
    assert page.status_code == 400
    assert not Response.objects.exists()


def test_tampered_token_is_refused(sent_invitation, client):
    path = score_path(5)
    token = path.split("/")[3]
    forged = signing.dumps([sent_invitation.pk, 1], salt="guessed-salt")
    for bad in (token[:-2] + "xx", forged, "nonsense"):
        page = client.post(f"/surveys/r/{bad}/", {"score": 1})
        assert page.status_code == 404
    assert not Response.objects.exists()


def test_token_for_another_salt_is_refused(sent_invitation, client):
    token = signing.dumps([sent_invitation.pk, 1], salt=SCORE_SALT + "x")
    assert client.get(f"/surveys/r/{token}/").status_code == 404


def test_expired_invitation_refuses_answers(sent_invitation, client):
    path = score_path(3)
    with time_machine.travel(sent_invitation.expires_at + timedelta(minutes=1)):
        assert client.get(path).status_code == 410
        assert client.post(path, {"score": 3}).status_code == 410
    assert not Response.objects.exists()


def test_change_after_expiry_is_refused(sent_invitation, client):
    path = score_path(3)
    client.post(path, {"score": 3})
    with time_machine.travel(sent_invitation.expires_at + timedelta(minutes=1)):
        client.post(score_path(1), {"score": 1})
    assert Response.objects.get().score == 3


def test_token_past_the_hard_age_limit_is_refused(sent_invitation, client, settings):
    settings.HELPDESK_SURVEY_TOKEN_MAX_AGE_DAYS = 1
    path = score_path(3)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert client.get(path).status_code == 404


def test_token_of_a_cancelled_invitation_is_refused(program, ticket, client):
    invitation = Invitation.objects.create(ticket=ticket, customer=ticket.customer, program=program,
                                           metric="csat", status="cancelled",
                                           send_after=timezone.now())
    page = client.post(f"/surveys/r/{make_score_token(invitation.pk, 3)}/", {"score": 3})
    assert page.status_code == 410


def test_answer_page_is_in_finnish_for_a_finnish_customer(program, ticket, customer, close,
                                                          send_due, client):
    customer.language = "fi"
    customer.save(update_fields=["language"])
    close(ticket)
    send_due()
    page = client.get(score_path(4))
    assert "Kuinka tyytyväinen olit tukeemme?" in page.content.decode()
    assert '<html lang="fi">' in page.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_answer_link_costs_few_queries(sent_invitation, client, django_assert_max_num_queries,
                                       method):
    path = score_path(4)
    client.post(path, {"score": 4})  # the answer exists: a later click is the common case
    with django_assert_max_num_queries(3):  # read invitation; update response; (savepoint)
        getattr(client, method)(path, {"score": 4} if method == "post" else None)
