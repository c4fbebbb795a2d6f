"""Macros set custom fields through the change service (required-on-solve included)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tickets.models import Macro, Ticket
from tickets.services.custom_fields import values_of
from tickets.services.macros import apply_macro, preview_macro, save_macro

from .custom_field_fixtures import *  # noqa: F403


def test_a_macro_sets_fields_and_may_then_solve(ticket, agent, product_field):
    product_field.required_on_solve = True
    product_field.save()
    macro = save_macro(name="Printer fixed", shared=False, actor=agent, actions=[
        {"type": "set_status", "value": "solved"},
        {"type": "set_fields", "value": {"product": "printer"}}])
    preview = preview_macro(macro=macro, ticket=ticket, actor=agent)
    assert ("Product", "—", "Printer") in preview.fields
    apply_macro(macro=macro, ticket=ticket, actor=agent, send_reply=False)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED
    assert values_of(ticket.pk) == {product_field.pk: ["printer"]}


def test_a_macro_that_solves_without_the_required_field_is_refused(ticket, agent,
                                                                  product_field):
    product_field.required_on_solve = True
    product_field.save()
    macro = save_macro(name="Solve", shared=False, actor=agent,
                       actions=[{"type": "set_status", "value": "solved"}])
    with pytest.raises(ValidationError) as exc:
        apply_macro(macro=macro, ticket=ticket, actor=agent, send_reply=False)
    assert "field_product" in exc.value.message_dict


def test_a_macro_with_a_wrong_value_is_not_saved(agent, all_fields):
    with pytest.raises(ValidationError) as exc:
        save_macro(name="Bad", shared=False, actor=agent,
                   actions=[{"type": "set_fields", "value": {"hours": "lots"}}])
    assert "Hours" in str(exc.value)


def test_the_macro_form_has_an_input_per_field(client, agent, product_field):
    client.force_login(agent)
    response = client.post(reverse("tickets:macro_new"), {
        "name": "Scanner", "set_field_product": "scanner"})
    assert response.status_code == 302
    macro = Macro.objects.get()
    assert macro.actions == [{"type": "set_fields", "value": {"product": "scanner"}}]
    html = client.get(reverse("tickets:macro_edit", args=[macro.pk])).content.decode()
    assert 'name="set_field_product"' in html
