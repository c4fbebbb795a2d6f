"""Custom fields in the REST API: read, PATCH, filter (field_<key>=value)."""

import pytest

from tests.conftest import api_client_for
from tickets.services import apply_ticket_changes

from .custom_field_fixtures import *  # noqa: F403


def _set(ticket, **values):
    apply_ticket_changes(ticket=ticket, changes={"fields": values}, actor=None, source="test")


def test_a_ticket_carries_its_typed_values(api, ticket, all_fields):
    _set(ticket, product="printer", areas=["ui"], hours=2, warranty=True)
    data = api.get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert data["custom_fields"] == {"product": "printer", "areas": ["ui"], "hours": 2,
                                     "warranty": True}


def test_patch_sets_values_through_the_change_service(api, ticket, all_fields):
    response = api.patch(f"/api/v1/tickets/{ticket.pk}/",
                         {"custom_fields": {"product": "laptop", "hours": "1.25"}}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["custom_fields"] == {"product": "laptop", "hours": 1.25}


def test_patch_with_a_wrong_type_is_a_400_naming_the_field(api, ticket, all_fields):
    response = api.patch(f"/api/v1/tickets/{ticket.pk}/",
                         {"custom_fields": {"hours": "lots", "product": "printer"}},
                         format="json")
    assert response.status_code == 400
    assert "Hours" in response.json()["field_hours"][0]
    assert api.get(f"/api/v1/tickets/{ticket.pk}/").json()["custom_fields"] == {}


def test_patch_solved_without_a_required_field_is_a_400(api, ticket, product_field):
    product_field.required_on_solve = True
    product_field.save()
    response = api.patch(f"/api/v1/tickets/{ticket.pk}/", {"status": "solved"}, format="json")
    assert response.status_code == 400
    assert "Product" in response.json()["field_product"][0]


def test_the_list_filters_by_a_dropdown(api, ticket, customer, team, product_field):
    from tickets.services import NewTicket, create_ticket

    other = create_ticket(NewTicket(subject="Other", body="x", customer=customer, team=team))
    _set(ticket, product="printer")
    _set(other, product="scanner")
    ids = [t["id"] for t in api.get("/api/v1/tickets/?field_product=printer").json()["results"]]
    assert ids == [ticket.pk]
    both = api.get("/api/v1/tickets/?field_product=printer,scanner").json()["results"]
    assert {t["id"] for t in both} == {ticket.pk, other.pk}


@pytest.mark.parametrize(("query", "name"), [
    ("field_product=toaster", "field_product"),
    ("field_hours=abc", "field_hours"),
    ("field_bought_on=yesterday", "field_bought_on"),
    ("field_nosuch=1", "field_nosuch"),
])
def test_a_bad_filter_is_a_400_naming_the_parameter(api, all_fields, query, name):
    response = api.get(f"/api/v1/tickets/?{query}")
    assert response.status_code == 400
    assert name in response.json()


def test_filters_combine_with_the_agents_visibility(ticket, other_agent, product_field):
    _set(ticket, product="printer")
    other = api_client_for(other_agent)
    assert other.get("/api/v1/tickets/?field_product=printer").json()["results"] == []


def test_the_list_stays_at_a_constant_number_of_queries(api, ticket, customer, team,
                                                         all_fields,
                                                         django_assert_max_num_queries):
    from tickets.services import NewTicket, create_ticket

    for n in range(5):
        t = create_ticket(NewTicket(subject=f"T{n}", body="x", customer=customer, team=team))
        _set(t, product="printer", areas=["ui", "billing"], hours=n)
    with django_assert_max_num_queries(12) as captured:
        api.get("/api/v1/tickets/?field_product=printer")
    count = len(captured.captured_queries)
    for n in range(5):
        t = create_ticket(NewTicket(subject=f"U{n}", body="x", customer=customer, team=team))
        _set(t, product="printer", serial=f"S{n}")
    with django_assert_max_num_queries(count):
        api.get("/api/v1/tickets/?field_product=printer")


def test_a_checkbox_filters_by_ticked_and_unticked(api, ticket, customer, team, all_fields):
    from tickets.services import NewTicket, create_ticket

    other = create_ticket(NewTicket(subject="Other", body="x", customer=customer, team=team))
    _set(ticket, warranty=True)
    _set(other, warranty=False)  # unticked: stored as no value
    ticked = api.get("/api/v1/tickets/?field_warranty=true").json()["results"]
    unticked = api.get("/api/v1/tickets/?field_warranty=false").json()["results"]
    assert [t["id"] for t in ticked] == [ticket.pk]
    assert [t["id"] for t in unticked] == [other.pk]
