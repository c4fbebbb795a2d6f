"""Custom field values through the one change service: types, scope, required on solve."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tickets.models import Ticket, TicketEvent, TicketFieldValue
from tickets.services import apply_ticket_changes
from tickets.services.custom_fields import values_of

from .custom_field_fixtures import *  # noqa: F403


def _set(ticket, actor, **values):
    return apply_ticket_changes(ticket=ticket, changes={"fields": values}, actor=actor,
                                source="test")


def test_values_of_every_type_are_stored_canonically(ticket, agent, all_fields):
    _set(ticket, agent, product="printer", areas=["ui", "billing"], hours="1,5",
         warranty=True, bought_on="2026-03-01", serial="  SN-1 ")
    stored = {all_fields[k].key: v for k in all_fields
              for v in [values_of(ticket.pk).get(all_fields[k].pk)]}
    assert stored == {"product": ["printer"], "areas": ["billing", "ui"], "hours": ["1.5"],
                      "warranty": ["true"], "bought_on": ["2026-03-01"], "serial": ["SN-1"]}
    assert TicketFieldValue.objects.get(field=all_fields["hours"]).number == 1.5


def test_a_change_records_an_event_and_reports_old_and_new(ticket, agent, product_field):
    result = _set(ticket, agent, product="printer")
    assert result.changes["field.product"] == [None, "printer"]
    result = _set(ticket, agent, product="scanner")
    assert result.changes["field.product"] == ["printer", "scanner"]
    event = TicketEvent.objects.filter(field="field.product").last()
    assert (event.old_value, event.new_value, event.actor) == ("printer", "scanner", agent)


def test_the_same_value_again_changes_nothing(ticket, agent, product_field):
    _set(ticket, agent, product="printer")
    assert not _set(ticket, agent, product="printer").changed


def test_empty_clears_the_value(ticket, agent, product_field):
    _set(ticket, agent, product="printer")
    _set(ticket, agent, product="")
    assert values_of(ticket.pk) == {}


@pytest.mark.parametrize(("key", "value", "words"), [
    ("product", "toaster", "Choose one of"),
    ("areas", ["ui", "nope"], "Choose one of"),
    ("hours", "many", "Enter a number"),
    ("hours", True, "Enter a number"),
    ("warranty", "perhaps", "true or false"),
    ("bought_on", "2026-02-30", "YYYY-MM-DD"),
    ("serial", 12, "Enter text"),
])
def test_a_wrong_type_is_refused_naming_the_field(ticket, agent, all_fields, key, value, words):
    with pytest.raises(ValidationError) as exc:
        _set(ticket, agent, **{key: value})
    assert list(exc.value.message_dict) == [f"field_{key}"]
    message = exc.value.message_dict[f"field_{key}"][0]
    assert words in message and all_fields[key].label_en in message
    assert values_of(ticket.pk) == {}


def test_an_unknown_field_is_refused(ticket, agent, product_field):
    with pytest.raises(ValidationError) as exc:
        _set(ticket, agent, colour="red")
    assert "field_colour" in exc.value.message_dict


def test_a_field_of_another_channel_does_not_apply(ticket, agent, product_field):
    product_field.channels = ["phone"]
    product_field.save()
    with pytest.raises(ValidationError) as exc:
        _set(ticket, agent, product="printer")
    assert "field_product" in exc.value.message_dict


def test_a_field_of_one_team_applies_after_a_move_in_the_same_change(
        ticket, manager, product_field, other_team):
    product_field.teams.set([other_team])
    apply_ticket_changes(ticket=ticket, changes={"team": other_team,
                                                 "fields": {"product": "laptop"}},
                         actor=manager, source="test")
    assert values_of(ticket.pk) == {product_field.pk: ["laptop"]}


def test_solving_without_a_required_field_names_it(ticket, agent, product_field):
    product_field.required_on_solve = True
    product_field.save()
    with pytest.raises(ValidationError) as exc:
        apply_ticket_changes(ticket=ticket, changes={"status": "solved"}, actor=agent,
                             source="test")
    assert "Product" in exc.value.message_dict["field_product"][0]
    ticket.refresh_from_db()
    assert ticket.status != Ticket.Status.SOLVED


def test_solving_with_the_required_field_in_the_same_change_works(ticket, agent, product_field):
    product_field.required_on_solve = True
    product_field.save()
    apply_ticket_changes(ticket=ticket, changes={"status": "solved",
                                                 "fields": {"product": "printer"}},
                         actor=agent, source="test")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED


def test_a_required_field_of_another_team_does_not_block(ticket, agent, product_field,
                                                        other_team):
    product_field.required_on_solve = True
    product_field.save()
    product_field.teams.set([other_team])
    apply_ticket_changes(ticket=ticket, changes={"status": "solved"}, actor=agent,
                         source="test")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED


def test_an_agent_of_another_team_may_not_set_fields(ticket, other_agent, product_field):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _set(ticket, other_agent, product="printer")


def test_date_objects_are_accepted(ticket, all_fields):
    _set(ticket, None, bought_on=date(2026, 1, 2))
    assert values_of(ticket.pk)[all_fields["bought_on"].pk] == ["2026-01-02"]


def test_active_fields_come_in_one_query_in_order_with_their_teams(
        team, other_team, all_fields, django_assert_num_queries):
    from tickets.models import CustomField
    from tickets.services.custom_fields import active_fields

    first, second, *rest = CustomField.objects.order_by("position", "pk")
    first.teams.set([team, other_team])
    second.teams.set([other_team])
    top = max(f.position for f in (first, second, *rest)) + 1
    CustomField.objects.filter(pk=first.pk).update(position=top)  # now shown last
    with django_assert_num_queries(1):
        fields = active_fields()
    assert [f.pk for f in fields] == [second.pk, *[f.pk for f in rest], first.pk]
    teams = {f.pk: f.team_ids for f in fields}
    assert teams[first.pk] == {team.pk, other_team.pk} and teams[second.pk] == {other_team.pk}
    assert teams[rest[0].pk] == set()
