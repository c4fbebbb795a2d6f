"""Who may do what with custom fields, time and links (role × action × own/other team),
through the ticket page and the API; and the ticket page's constant query count."""

import pytest
from django.urls import reverse

from tests.conftest import api_client_for
from tests.factories import CustomerFactory
from tickets.models import CustomField, TicketLink, TimeEntry
from tickets.services import NewTicket, apply_ticket_changes, create_ticket, worklog
from tickets.services import links as link_services
from tickets.services.custom_fields import values_of

from .custom_field_fixtures import *  # noqa: F403

HTMX = {"HTTP_HX_REQUEST": "true"}
# persona → allowed on a ticket of the agent's team ("own" team = the fixture's team)
PERSONAS = [("agent", True), ("team_lead", True), ("other_agent", False), ("manager", True),
            ("admin_user", True)]


@pytest.fixture
def second(ticket, customer):
    return create_ticket(NewTicket(subject="Second", body="x", customer=customer, team=ticket.team))


@pytest.mark.parametrize(("persona", "allowed"), PERSONAS)
def test_ui_set_field(client, request, ticket, product_field, persona, allowed):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("tickets:properties", args=[ticket.pk]),
                           {"custom_fields": "1", "field_product": "printer"}, **HTMX)
    assert response.status_code == (200 if allowed else 404)
    assert bool(values_of(ticket.pk)) is allowed


@pytest.mark.parametrize(("persona", "allowed"), PERSONAS)
def test_api_set_field(request, ticket, product_field, persona, allowed):
    api = api_client_for(request.getfixturevalue(persona))
    response = api.patch(f"/api/v1/tickets/{ticket.pk}/",
                         {"custom_fields": {"product": "printer"}}, format="json")
    assert response.status_code == (200 if allowed else 404)


@pytest.mark.parametrize(("persona", "allowed"), PERSONAS)
def test_ui_log_time(client, request, ticket, persona, allowed):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("tickets:time_log", args=[ticket.pk]), {"duration": "5"},
                           **HTMX)
    assert response.status_code == (200 if allowed else 404)
    assert TimeEntry.objects.exists() is allowed


@pytest.mark.parametrize(("persona", "allowed"), PERSONAS)
def test_api_log_time_and_timer(request, ticket, persona, allowed):
    api = api_client_for(request.getfixturevalue(persona))
    logged = api.post(f"/api/v1/tickets/{ticket.pk}/time/", {"minutes": 5}, format="json")
    timer = api.post(f"/api/v1/tickets/{ticket.pk}/time/timer/", {"action": "start"},
                     format="json")
    assert (logged.status_code, timer.status_code) == ((201, 200) if allowed else (404, 404))


@pytest.mark.parametrize(("persona", "allowed"), PERSONAS)
def test_ui_link(client, request, ticket, second, persona, allowed):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("tickets:link_add", args=[ticket.pk]),
                           {"ticket": second.reference, "relation": "related"}, **HTMX)
    assert response.status_code == (200 if allowed else 404)
    assert TicketLink.objects.exists() is allowed


@pytest.mark.parametrize(("persona", "allowed"), PERSONAS)
def test_api_link(request, ticket, second, persona, allowed):
    api = api_client_for(request.getfixturevalue(persona))
    response = api.post(f"/api/v1/tickets/{ticket.pk}/links/",
                        {"ticket": second.reference, "relation": "related"}, format="json")
    assert response.status_code == (201 if allowed else 404)


def test_an_agent_cannot_link_their_ticket_to_another_teams(client, agent, ticket, other_team,
                                                           customer):
    theirs = create_ticket(NewTicket(
        subject="Theirs", body="x", customer=customer, team=other_team
    ))
    client.force_login(agent)
    response = client.post(reverse("tickets:link_add", args=[ticket.pk]),
                           {"ticket": theirs.reference, "relation": "related"}, **HTMX)
    assert response.status_code == 400 and not TicketLink.objects.exists()
    api = api_client_for(agent)
    assert api.post(f"/api/v1/tickets/{ticket.pk}/links/",
                    {"ticket": theirs.pk, "relation": "related"},
                    format="json").status_code == 400


@pytest.mark.parametrize(("persona", "allowed"), PERSONAS)
def test_api_solve_incidents(request, ticket, second, agent, persona, allowed):
    link_services.link_tickets(ticket=second, other=ticket, relation="incident_of", actor=agent)
    api = api_client_for(request.getfixturevalue(persona))
    response = api.post(f"/api/v1/tickets/{ticket.pk}/solve_incidents/", {"body": "Fixed."},
                        format="json")
    assert response.status_code == (200 if allowed else 404)


# -- the ticket page's queries do not grow with fields, entries and links -----------------

def _grow(ticket, agent, n):
    for i in range(n):
        field = CustomField.objects.create(
            key=f"f{CustomField.objects.count()}", type="dropdown", label_en="F",
            label_fi="F", options=[{"key": "a", "en": "A", "fi": "A"}])
        apply_ticket_changes(ticket=ticket, changes={"fields": {field.key: "a"}}, actor=None,
                             source="test")
        worklog.log_time(ticket=ticket, agent=agent, seconds=60 + i)
        other = create_ticket(NewTicket(
            subject="o", body="x", customer=CustomerFactory(), team=ticket.team
        ))
        link_services.link_tickets(ticket=ticket, other=other, relation="problem_of",
                                   actor=agent)


def test_the_ticket_page_queries_do_not_grow(client, agent, ticket,
                                             django_assert_max_num_queries):
    client.force_login(agent)
    url = reverse("tickets:context", args=[ticket.pk])  # the page's time and links column
    _grow(ticket, agent, 1)
    worklog.start_timer(ticket=ticket, agent=agent)
    client.get(url)
    with django_assert_max_num_queries(100) as small:
        client.get(url)
    _grow(ticket, agent, 6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count("link-role") == 7 and "Stop timer" in html
