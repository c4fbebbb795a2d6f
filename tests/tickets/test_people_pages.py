"""Customer and organization pages: who sees and edits what, inline errors, constant
query counts, the link from every ticket, and GET /api/v1/customers/?email=."""

from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import FollowUp, Response
from tests.conftest import api_client_for
from tests.factories import (
    CustomerFactory,
    OrganizationDomainFactory,
    OrganizationFactory,
    TicketFactory,
)
from tickets.models import CustomerNote


@pytest.fixture
def org(db):
    organization = OrganizationFactory(name="Acme Oy", tier="premium", annual_revenue=120000)
    OrganizationDomainFactory(organization=organization, domain="acme.fi")
    return organization


@pytest.fixture
def person(org):
    return CustomerFactory(email="anna@acme.fi", name="Anna Acme", organization=org,
                           time_zone="America/New_York", language="fi")


def _fill(person, team, other_team, n: int):
    for i in range(n):
        ticket = TicketFactory(customer=person, team=team if i % 2 else other_team)
        response = Response.objects.create(metric="nps", scale_min=0, scale_max=10, score=i % 11,
                                           ticket=ticket, customer=person, channel="email",
                                           team=ticket.team, organization=person.organization)
        if i % 3 == 0:
            FollowUp.objects.create(response=response, ticket=ticket, team=ticket.team,
                                    due_at=timezone.now() + timedelta(hours=1))
        CustomerNote.objects.create(customer=person, body=f"note {i}")
        CustomerFactory(organization=person.organization)


def test_customer_page_shows_details_local_time_tickets_answers_and_notes(
        client, manager, person, team, other_team):
    _fill(person, team, other_team, 3)
    client.force_login(manager)
    page = client.get(f"/customers/{person.pk}/").content.decode()
    for text in ("Anna Acme", "anna@acme.fi", "Acme Oy", "America/New_York", "note 2",
                 "Survey answers", "Follow-ups", "Edit customer"):
        assert text in page, text


@pytest.mark.parametrize("rows", [2, 12])
@pytest.mark.parametrize("persona", ["manager", "admin_user"])  # the admin: with the privacy panel
def test_customer_page_query_count_is_constant(client, request, persona, person, team,
                                               other_team, rows, django_assert_max_num_queries):
    _fill(person, team, other_team, rows)
    client.force_login(request.getfixturevalue(persona))
    with django_assert_max_num_queries(11):
        assert client.get(f"/customers/{person.pk}/").status_code == 200


@pytest.mark.parametrize("rows", [2, 12])
def test_erase_confirmation_query_count_is_constant(client, admin_user, person, team, other_team,
                                                    rows, django_assert_max_num_queries):
    _fill(person, team, other_team, rows)
    client.force_login(admin_user)
    with django_assert_max_num_queries(6):
        assert client.get(f"/customers/{person.pk}/erase/").status_code == 200


@pytest.mark.parametrize("rows", [2, 12])
def test_organization_page_query_count_is_constant(client, manager, person, team, other_team,
                                                   rows, django_assert_max_num_queries):
    _fill(person, team, other_team, rows)
    client.force_login(manager)
    with django_assert_max_num_queries(15):
        page = client.get(f"/organizations/{person.organization_id}/")
    assert page.status_code == 200 and "Relationship NPS" in page.content.decode()


def test_agent_sees_only_their_teams_tickets_and_scores_and_cannot_edit(
        client, agent, person, team, other_team):
    _fill(person, team, other_team, 4)
    client.force_login(agent)
    page = client.get(f"/customers/{person.pk}/").content.decode()
    assert "Edit customer" not in page
    visible = set(person.tickets.filter(team=team).values_list("pk", flat=True))
    hidden = set(person.tickets.filter(team=other_team).values_list("pk", flat=True))
    assert all(f"/tickets/{pk}/" in page for pk in visible)
    assert not any(f"/tickets/{pk}/\"" in page for pk in hidden)
    assert client.post(f"/customers/{person.pk}/edit/", {"name": "X"}).status_code == 403
    assert client.post(f"/organizations/{person.organization_id}/edit/",
                       {"name": "X"}).status_code == 403


@pytest.mark.parametrize("persona,view,edit", [
    ("agent", 200, 403), ("team_lead", 200, 403), ("manager", 200, 302), ("admin_user", 200, 302),
    (None, 302, 302)])
def test_permission_matrix(request, client, person, persona, view, edit):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/customers/{person.pk}/").status_code == view
    assert client.get(f"/organizations/{person.organization_id}/").status_code == view
    data = {"name": "Anna A", "email": "anna@acme.fi", "phone": "", "language": "fi",
            "time_zone": "Europe/Helsinki", "organization": person.organization_id}
    assert client.post(f"/customers/{person.pk}/edit/", data).status_code == edit


def test_manager_edits_customer_and_bad_input_is_shown_inline_keeping_what_was_typed(
        client, manager, person):
    other = CustomerFactory(email="taken@acme.fi")
    client.force_login(manager)
    data = {"name": "Anna Edited", "email": other.email.upper(), "phone": "+358 40 1",
            "language": "fi", "time_zone": "Mars/Olympus", "organization": person.organization_id}
    page = client.post(f"/customers/{person.pk}/edit/", data)
    body = page.content.decode()
    assert page.status_code == 400
    assert "Another customer has this email address." in body and "Unknown time zone" in body
    assert 'value="Anna Edited"' in body and 'value="+358 40 1"' in body
    data.update(email="anna.new@acme.fi", time_zone="Europe/Helsinki")
    assert client.post(f"/customers/{person.pk}/edit/", data).status_code == 302
    person.refresh_from_db()
    assert (person.name, person.email, person.time_zone) == (
        "Anna Edited", "anna.new@acme.fi", "Europe/Helsinki")


def test_manager_edits_organization_domains_and_churn(client, manager, org):
    OrganizationDomainFactory(domain="taken.fi")
    client.force_login(manager)
    data = {"name": "Acme Oy", "tier": "enterprise", "annual_revenue": "-5",
            "active_since": "2024-01-01", "churned_at": "2023-01-01", "domains": "acme.fi, taken.fi"}
    body = client.post(f"/organizations/{org.pk}/edit/", data).content.decode()
    assert "Revenue cannot be negative." in body and "taken.fi" in body
    assert "Churned before it became a customer?" in body
    data.update(annual_revenue="250000", churned_at="2026-06-30", domains="acme.fi, acme.com")
    assert client.post(f"/organizations/{org.pk}/edit/", data).status_code == 302
    org.refresh_from_db()
    assert org.tier == "enterprise" and str(org.churned_at) == "2026-06-30"
    assert sorted(org.domains.values_list("domain", flat=True)) == ["acme.com", "acme.fi"]


def test_any_staff_member_adds_a_note_and_an_empty_one_is_refused(client, agent, person):
    client.force_login(agent)
    assert client.post(f"/customers/{person.pk}/notes/", {"body": ""}).status_code == 400
    assert client.post(f"/customers/{person.pk}/notes/",
                       {"body": "Prefers phone"}).status_code == 302
    assert CustomerNote.objects.get(customer=person).author == agent


def test_every_ticket_links_to_its_customer_page(client, agent, ticket):
    client.force_login(agent)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert f'href="/customers/{ticket.customer_id}/"' in page


def test_customers_api_finds_one_by_email_case_insensitively(agent, person):
    api = api_client_for(agent)
    rows = api.get("/api/v1/customers/?email=ANNA@acme.fi").json()["results"]
    assert rows == [{"id": person.pk, "email": "anna@acme.fi", "name": "Anna Acme",
                     "organization": person.organization_id, "language": "fi"}]
    assert api.get("/api/v1/customers/?email=nobody@acme.fi").json()["results"] == []
    bad = api.get("/api/v1/customers/?email=nonsense")
    assert bad.status_code == 400 and "email" in bad.json()


def test_customers_api_is_for_staff_only(customer):
    assert api_client_for(None).get("/api/v1/customers/").status_code in (401, 403)


def test_unknown_customer_and_organization_are_404(client, manager):
    client.force_login(manager)
    assert client.get("/customers/999999/").status_code == 404
    assert client.get("/organizations/999999/").status_code == 404
