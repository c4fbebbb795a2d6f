"""The score link's page is one query (docs/performance.md, "The survey score link"): its
read (surveys/services/landing.py) holds only what the page shows, so the page must look
exactly as it does from the full read, and no field it shows may cost a query."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk.models import OutboundEmail
from surveys.models import Invitation, Response
from surveys.services.answers import existing_response, load_invitation
from surveys.services.landing import landing_sql, load_landing
from surveys.views import public

from .conftest import score_path
from .test_relationship import _send_wave, contacts, relationship_program  # noqa: F401


def _full_read(invitation_id):
    """What the page read before: the whole invitation, program, ticket and answer."""
    invitation = load_invitation(invitation_id)
    return invitation, existing_response(invitation) if invitation else None


def _both_pages(client, monkeypatch, path, method="get"):
    lean = getattr(client, method)(path)
    with monkeypatch.context() as patched:
        patched.setattr(public, "load_landing", _full_read)
        full = getattr(client, method)(path)
    return lean, full


@pytest.mark.parametrize("state", ["unanswered", "answered", "saved", "changing", "expired"])
def test_the_page_is_one_query_and_the_same_as_from_the_full_read(
        state, sent_invitation, client, monkeypatch, django_assert_num_queries):
    path = score_path(4)
    if state != "unanswered":
        client.post(score_path(2 if state == "changing" else 4),
                    {"score": 2 if state == "changing" else 4, "comment": "Quick <b>and</b> kind"})
    if state == "saved":
        path += "?saved=1"
    with time_machine.travel(sent_invitation.expires_at + timedelta(
            minutes=1 if state == "expired" else -60), tick=False):
        with django_assert_num_queries(1):
            page = client.get(path)
        lean, full = _both_pages(client, monkeypatch, path)
    assert page.status_code == lean.status_code == full.status_code == (
        410 if state == "expired" else 200)
    assert lean.content == full.content
    if state == "changing":
        assert b"Your current answer is 2. Press the button to change it to 4." in page.content
    if state in ("answered", "saved", "changing"):
        assert b"Quick &lt;b&gt;and&lt;/b&gt; kind</textarea>" in page.content


def test_a_relationship_page_in_finnish_is_one_query_and_the_same_as_from_the_full_read(
        relationship_program, contacts, client, monkeypatch,  # noqa: F811
        django_assert_num_queries, django_capture_on_commit_callbacks):
    person = contacts[0]
    person.language = "fi"
    person.save(update_fields=["language"])
    _send_wave(relationship_program, person, django_capture_on_commit_callbacks)
    text = OutboundEmail.objects.get(to=person.email).body_text
    path = "/" + re.search(r"^8: (http\S+)$", text, re.M).group(1).split("/", 3)[3]
    with django_assert_num_queries(1):
        page = client.get(path)
    lean, full = _both_pages(client, monkeypatch, path)
    assert lean.content == full.content == page.content
    assert "Mikä tekisi siitä kympin?</strong>" in page.content.decode()
    assert '<html lang="fi">' in page.content.decode()


def test_the_read_holds_the_fields_with_their_types(sent_invitation, client):
    client.post(score_path(5), {"score": 5, "comment": "Fine"})
    invitation, response = load_landing(sent_invitation.pk)
    stored = Invitation.objects.select_related("program", "ticket").get(pk=sent_invitation.pk)
    assert (invitation.pk, invitation.status, invitation.expires_at, invitation.language) == (
        stored.pk, stored.status, stored.expires_at, stored.language)
    assert invitation.expires_at.tzinfo is not None  # converted as the ORM would (SQLite: text)
    assert (invitation.program.pk, invitation.program.question_en) == (
        stored.program.pk, stored.program.question_en)
    assert (invitation.ticket.reference, invitation.ticket.subject) == (
        stored.ticket.reference, stored.ticket.subject)
    assert (response.pk, response.score, response.comment) == (
        Response.objects.get().pk, 5, "Fine")
    assert invitation.response is response and response.invitation is invitation
    assert load_landing(sent_invitation.pk + 1000) == (None, None)


def test_an_unanswered_invitation_has_no_answer(sent_invitation):
    invitation, response = load_landing(sent_invitation.pk)
    assert invitation.pk == sent_invitation.pk and response is None


def test_the_sql_is_built_once_with_the_invitation_as_its_only_parameter(sent_invitation):
    assert landing_sql() is landing_sql()
    with CaptureQueriesContext(connection) as captured:
        load_landing(sent_invitation.pk)
    assert len(captured.captured_queries) == 1
    assert " JOIN " in captured.captured_queries[0]["sql"]


@pytest.mark.parametrize(("first", "second", "queries"), [
    # Read the invitation with its answer in one query; record_response's transaction (a
    # savepoint and its release inside the test's transaction); the update if it changed.
    (4, 4, 3), (4, 3, 4),
])
def test_a_later_confirm_costs_few_queries(sent_invitation, client, django_assert_num_queries,
                                          first, second, queries):
    client.post(score_path(first), {"score": first})
    path = score_path(second)
    with django_assert_num_queries(queries):
        assert client.post(path, {"score": second}).status_code == 302
