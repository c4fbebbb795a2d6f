"""Linked tickets: related, problem and incidents, merged and follow-up in one panel."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from helpdesk.models import OutboundEmail
from tests.conftest import api_client_for
from tests.factories import CustomerFactory
from tickets.models import Ticket, TicketLink
from tickets.services import NewTicket, create_ticket, merge_tickets
from tickets.services import links as link_services

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def incidents(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return [create_ticket(NewTicket(
            subject=f"Cannot log in {n}", body="?", team=team,
            customer=CustomerFactory(email=f"c{n}@example.com")
        ))
                for n in range(3)]


def _link(ticket, other, relation, actor):
    return link_services.link_tickets(ticket=ticket, other=other, relation=relation,
                                      actor=actor)


def test_related_and_incident_links(ticket, incidents, agent):
    _link(ticket, incidents[0], "related", agent)
    _link(incidents[1], ticket, "incident_of", agent)
    _link(ticket, incidents[2], "problem_of", agent)
    assert set(TicketLink.objects.values_list("source", "target", "kind")) == {
        (ticket.pk, incidents[0].pk, "related"), (incidents[1].pk, ticket.pk, "incident"),
        (incidents[2].pk, ticket.pk, "incident")}
    assert ticket.events.filter(field="link_incident").count() == 2


@pytest.mark.parametrize(("make", "words"), [
    (lambda t, i, a: _link(t, t, "related", a), "itself"),
    (lambda t, i, a: [_link(t, i[0], "related", a), _link(i[0], t, "related", a)],
     "already linked"),
    (lambda t, i, a: [_link(i[0], t, "incident_of", a), _link(i[0], i[1], "incident_of", a)],
     "already an incident"),
    (lambda t, i, a: [_link(i[0], t, "incident_of", a), _link(i[1], i[0], "incident_of", a)],
     "itself an incident"),
])
def test_links_that_make_no_sense_are_refused(ticket, incidents, agent, make, words):
    with pytest.raises(ValidationError) as exc:
        make(ticket, incidents, agent)
    assert words in str(exc.value)


def test_a_ticket_of_another_team_cannot_be_found_or_linked(ticket, other_agent, other_team,
                                                           customer, agent):
    theirs = create_ticket(NewTicket(
        subject="Billing", body="x", customer=customer, team=other_team
    ))
    with pytest.raises(ValidationError) as exc:
        link_services.find_visible_ticket(agent, theirs.reference)
    missing = link_services.find_visible_ticket
    with pytest.raises(ValidationError) as exc2:
        missing(agent, "HD-999999")
    assert exc.value.messages[0].replace(theirs.reference, "X") == exc2.value.messages[
        0].replace("HD-999999", "X")  # the same answer: nothing leaks
    with pytest.raises(ValidationError):
        _link(ticket, theirs, "related", agent)


def test_solving_a_problem_replies_to_and_solves_each_incident(
        ticket, incidents, agent, django_capture_on_commit_callbacks):
    for incident in incidents[:2]:
        _link(incident, ticket, "incident_of", agent)
    with django_capture_on_commit_callbacks(execute=True):
        result = link_services.solve_incidents(problem=ticket, actor=agent,
                                               body="Fixed: please log in again.")
    assert {t.pk for t in result.solved} == {incidents[0].pk, incidents[1].pk}
    for incident in incidents[:2]:
        incident.refresh_from_db()
        assert incident.status == Ticket.Status.SOLVED
        assert incident.messages.filter(public=True, body_text="Fixed: please log in again."
                                        ).exists()
    incidents[2].refresh_from_db()
    assert incidents[2].status != Ticket.Status.SOLVED
    sent_to = set(OutboundEmail.objects.filter(body_text__contains="please log in again")
                  .values_list("to", flat=True))
    assert {"c0@example.com", "c1@example.com"} <= {to.strip() for to in sent_to}


def test_an_incident_refused_by_a_required_field_is_reported(ticket, incidents, agent):
    from tests.tickets.custom_field_fixtures import PRODUCT_OPTIONS
    from tickets.models import CustomField
    from tickets.services import apply_ticket_changes

    CustomField.objects.create(key="product", type="dropdown", label_en="Product",
                               label_fi="Tuote", options=PRODUCT_OPTIONS,
                               required_on_solve=True)
    for incident in incidents[:2]:
        _link(incident, ticket, "incident_of", agent)
    apply_ticket_changes(ticket=incidents[0], changes={"fields": {"product": "printer"}},
                         actor=agent, source="test")
    result = link_services.solve_incidents(problem=ticket, actor=agent, body="Fixed.")
    assert [t.pk for t in result.solved] == [incidents[0].pk]
    assert result.failed[0][0].pk == incidents[1].pk and "Product" in result.failed[0][1]
    incidents[1].refresh_from_db()
    assert not incidents[1].messages.filter(body_text="Fixed.").exists()  # rolled back


def test_the_panel_shows_links_merges_and_follow_ups(client, agent, ticket, incidents,
                                                     customer):
    _link(incidents[0], ticket, "incident_of", agent)
    duplicate = create_ticket(NewTicket(
        subject="Duplicate", body="x", customer=customer, team=ticket.team
    ))
    merge_tickets(source=duplicate, target=ticket, actor=agent)
    follow = create_ticket(NewTicket(
        subject="Again", body="x", customer=customer, team=ticket.team, follows_up=ticket
    ))
    client.force_login(agent)
    html = client.get(reverse("tickets:context", args=[ticket.pk])).content.decode()
    for ref in (incidents[0].reference, duplicate.reference, follow.reference):
        assert ref in html
    assert "Merged here" in html and "Follow-up" in html and "Incident" in html
    assert "Reply and solve incidents" in html


def test_linking_on_the_page_keeps_a_bad_reference_and_names_it(client, agent, ticket):
    client.force_login(agent)
    response = client.post(reverse("tickets:link_add", args=[ticket.pk]),
                           {"ticket": "HD-424242", "relation": "related"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 400
    assert "No ticket “HD-424242” that you can see." in html and 'value="HD-424242"' in html


def test_solve_incidents_on_the_page(client, agent, ticket, incidents):
    _link(incidents[0], ticket, "incident_of", agent)
    client.force_login(agent)
    response = client.post(reverse("tickets:solve_incidents", args=[ticket.pk]),
                           {"body": "All fixed."}, **HTMX)
    assert "1 incidents solved" in response.content.decode()
    incidents[0].refresh_from_db()
    assert incidents[0].status == Ticket.Status.SOLVED


# -- API ----------------------------------------------------------------------------------

def test_the_api_links_lists_and_unlinks(api, ticket, incidents):
    response = api.post(f"/api/v1/tickets/{ticket.pk}/links/",
                        {"ticket": incidents[0].reference, "relation": "problem_of"},
                        format="json")
    assert response.status_code == 201 and response.json()["kind"] == "incident"
    listed = api.get(f"/api/v1/tickets/{ticket.pk}/links/").json()
    assert [link["source"] for link in listed] == [incidents[0].pk]
    assert api.delete(f"/api/v1/tickets/{ticket.pk}/links/{listed[0]['id']}/").status_code == 204
    assert not TicketLink.objects.exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"ticket": "HD-999999", "relation": "related"}, "ticket"),
    ({"ticket": "nonsense", "relation": "related"}, "ticket"),
    ({"ticket": "1", "relation": "friend"}, "relation"),
])
def test_the_api_names_a_bad_link(api, ticket, body, field):
    response = api.post(f"/api/v1/tickets/{ticket.pk}/links/", body, format="json")
    assert response.status_code == 400 and field in response.json()


def test_the_api_solves_incidents(api, ticket, incidents, agent):
    _link(incidents[0], ticket, "incident_of", agent)
    response = api.post(f"/api/v1/tickets/{ticket.pk}/solve_incidents/", {"body": "Done."},
                        format="json")
    assert response.json() == {"solved": [incidents[0].pk], "failed": []}
    blank = api.post(f"/api/v1/tickets/{ticket.pk}/solve_incidents/", {"body": " "},
                     format="json")
    assert blank.status_code == 400 and "body" in blank.json()


def test_links_api_other_team_is_404(ticket, other_agent):
    client = api_client_for(other_agent)
    assert client.get(f"/api/v1/tickets/{ticket.pk}/links/").status_code == 404


from .custom_field_fixtures import english_messages  # noqa: E402,F401  (English messages)
