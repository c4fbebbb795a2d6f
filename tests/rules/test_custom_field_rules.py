"""Rules see custom fields: conditions "field.<key>" and the action "set_field"."""

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import api_client_for
from tests.tickets.custom_field_fixtures import *  # noqa: F403
from tickets.models import Ticket
from tickets.services import apply_ticket_changes
from tickets.services.custom_fields import values_of

from .conftest import history

UPDATED = ("ticket.updated",)


def _set(run, ticket, **values):
    run(apply_ticket_changes, ticket=ticket, changes={"fields": values}, actor=None,
        source="test")


def test_a_dropdown_condition_fires_and_set_field_writes(run, make_rule, ticket, all_fields):
    make_rule("Printers are urgent", events=UPDATED,
              all=[{"field": "field.product", "op": "is", "value": "printer"}],
              actions=[{"type": "set_priority", "value": "urgent"},
                       {"type": "set_field", "value": {"field": "areas", "value": ["ui"]}}])
    _set(run, ticket, product="printer")
    ticket.refresh_from_db()
    assert ticket.priority == Ticket.Priority.URGENT
    assert values_of(ticket.pk)[all_fields["areas"].pk] == ["ui"]
    assert ("ticket.updated", "Printers are urgent") in history(ticket)


@pytest.mark.parametrize(("condition", "fires"), [
    ({"field": "field.product", "op": "in", "value": ["scanner", "printer"]}, True),
    ({"field": "field.product", "op": "is_not", "value": "printer"}, False),
    ({"field": "field.areas", "op": "contains", "value": "billing"}, True),
    ({"field": "field.hours", "op": "gt", "value": 2}, True),
    ({"field": "field.hours", "op": "lt", "value": 2}, False),
    ({"field": "field.warranty", "op": "is", "value": True}, True),
    ({"field": "field.serial", "op": "contains", "value": "sn"}, True),
])
def test_each_kind_of_custom_condition(run, make_rule, ticket, all_fields, condition, fires):
    make_rule("Probe", events=UPDATED, all=[condition],
              actions=[{"type": "add_tags", "value": ["probe"]}])
    _set(run, ticket, product="printer", areas=["billing"], hours=3, warranty=True,
         serial="SN-42")
    assert ticket.tags.filter(name="probe").exists() is fires


def test_an_unknown_custom_field_in_a_condition_is_refused(make_rule, product_field):
    with pytest.raises(ValidationError) as exc:
        make_rule(all=[{"field": "field.colour", "op": "is", "value": "red"}],
                  actions=[{"type": "add_tags", "value": ["x"]}])
    assert "field.colour" in str(exc.value)


def test_an_option_that_does_not_exist_is_refused(make_rule, product_field):
    with pytest.raises(ValidationError) as exc:
        make_rule(all=[{"field": "field.product", "op": "is", "value": "toaster"}],
                  actions=[{"type": "add_tags", "value": ["x"]}])
    assert "toaster" in str(exc.value)


def test_the_api_names_a_set_field_value_of_the_wrong_type(manager, all_fields):
    response = api_client_for(manager).post("/api/v1/rules/", {
        "name": "Bad", "kind": "trigger", "events": ["ticket.created"],
        "conditions": {"all": [], "any": []},
        "actions": [{"type": "set_field", "value": {"field": "hours", "value": "lots"}}]},
        format="json")
    assert response.status_code == 400
    assert "actions[0].value.value" in str(response.json()) and "Hours" in str(response.json())


def test_a_rule_that_solves_without_a_required_field_fails_visibly(run, make_rule, ticket,
                                                                   product_field):
    product_field.required_on_solve = True
    product_field.save()
    make_rule("Solve at once", events=UPDATED,
              all=[{"field": "priority", "op": "is", "value": "high"}],
              actions=[{"type": "set_status", "value": "solved"}])
    run(apply_ticket_changes, ticket=ticket, changes={"priority": "high"}, actor=None,
        source="test")
    ticket.refresh_from_db()
    assert ticket.status != Ticket.Status.SOLVED
    failures = history(ticket, field="rule_failed")
    assert failures and "Product" in failures[0][1]


def test_the_rule_form_offers_custom_fields(client, manager, product_field):
    client.force_login(manager)
    html = client.get("/rules/new/").content.decode()
    assert 'value="field.product"' in html and "set_field" in html
