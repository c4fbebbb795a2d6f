"""One custom field set on many tickets from the queue's bulk bar (docs/custom-fields.md)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import CustomerFactory
from tickets.models import TicketEvent
from tickets.services import NewTicket, create_ticket
from tickets.services.custom_fields import values_of
from tickets.services.field_bulk import set_field_on_tickets
from tickets.signals import ticket_updated

from .custom_field_fixtures import *  # noqa: F403
from .custom_field_fixtures import make_field


def _tickets(n, team):
    return [create_ticket(NewTicket(subject=f"Printer {i}", body="x", customer=CustomerFactory(),
                                    team=team)) for i in range(n)]


def _bulk(client, tickets, key, value, **extra):
    return client.post(reverse("tickets:bulk"), {"ids": [t.pk for t in tickets],
                                                 "action": f"field:{key}", "value": value,
                                                 **extra}, follow=True)


def test_bulk_sets_a_dropdown_on_every_selected_ticket_with_one_event_each(
        client, agent, team, product_field):
    tickets = _tickets(3, team)
    client.force_login(agent)
    response = _bulk(client, tickets, "product", "printer")
    assert "3 tickets updated." in response.text
    assert [values_of(t.pk)[product_field.pk] for t in tickets] == [["printer"]] * 3
    events = TicketEvent.objects.filter(field="field.product", actor=agent)
    assert sorted(e.ticket_id for e in events) == sorted(t.pk for t in tickets)
    assert {(e.old_value, e.new_value) for e in events} == {("", "printer")}


@pytest.mark.parametrize(("key", "posted", "stored"), [
    ("hours", "2,5", ["2.5"]),
    ("warranty", "true", ["true"]),
    ("bought_on", "2026-12-24", ["2026-12-24"]),
    ("serial", "SN-42", ["SN-42"]),
    ("areas", ["ui", "billing"], ["billing", "ui"]),
])
def test_bulk_cleans_each_kind_of_value_like_the_side_panel(
        client, agent, team, all_fields, key, posted, stored):
    tickets = _tickets(2, team)
    client.force_login(agent)
    _bulk(client, tickets, key, posted)
    assert [values_of(t.pk).get(all_fields[key].pk) for t in tickets] == [stored, stored]


def test_a_value_of_the_wrong_type_changes_nothing_and_names_the_field(
        client, agent, team, all_fields):
    tickets = _tickets(2, team)
    client.force_login(agent)
    response = _bulk(client, tickets, "hours", "lots")
    assert "Nothing was changed. Hours: Enter a number." in response.text
    assert not any(values_of(t.pk) for t in tickets)
    assert not TicketEvent.objects.filter(field="field.hours").exists()


def test_an_empty_value_clears_the_field(client, agent, team, product_field):
    tickets = _tickets(2, team)
    client.force_login(agent)
    _bulk(client, tickets, "product", "printer")
    _bulk(client, tickets, "product", "")
    assert not any(values_of(t.pk) for t in tickets)
    assert TicketEvent.objects.filter(field="field.product", new_value="").count() == 2


def test_a_ticket_the_agent_may_not_change_refuses_the_batch_and_is_counted(
        client, agent, team, other_team, product_field):
    mine = _tickets(2, team)
    theirs = _tickets(1, other_team)
    client.force_login(agent)
    response = _bulk(client, mine + theirs, "product", "printer")
    assert "1 of the selected tickets are not yours to change." in response.text
    assert not any(values_of(t.pk) for t in mine + theirs)


def test_the_service_checks_the_policy_on_each_ticket(agent, team, other_team, product_field):
    mine, theirs = _tickets(1, team) + _tickets(1, other_team)
    with pytest.raises(ValidationError) as refused:
        set_field_on_tickets(tickets=[mine, theirs], key="product", raw="printer", actor=agent)
    assert refused.value.message_dict == {
        "ids": [f"{theirs.reference}: This ticket belongs to a team you are not in."]}
    assert not values_of(mine.pk)


def test_a_field_of_another_team_is_refused_for_that_ticket(client, manager, team, other_team):
    field = make_field("contract", "text")
    field.teams.set([other_team])
    billing, support = _tickets(1, other_team) + _tickets(1, team)
    client.force_login(manager)
    response = _bulk(client, [billing, support], "contract", "C-7")
    assert f"{support.reference}: “Contract” is not one of this ticket" in response.text
    assert not values_of(billing.pk)


def test_tickets_that_already_have_the_value_are_not_counted_nor_announced(
        client, agent, team, product_field, django_capture_on_commit_callbacks):
    tickets = _tickets(2, team)
    client.force_login(agent)
    _bulk(client, tickets[:1], "product", "printer")
    heard = []

    def hear(sender, **kwargs):
        heard.append(kwargs)

    ticket_updated.connect(hear)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = _bulk(client, tickets, "product", "printer")
    finally:
        ticket_updated.disconnect(hear)
    assert "1 ticket updated." in response.text
    assert TicketEvent.objects.filter(field="field.product").count() == 2
    assert [(h["ticket_id"], h["changes"], h["source"]) for h in heard] == [
        (tickets[1].pk, {"field.product": [None, "printer"]}, "bulk")]


@pytest.mark.parametrize("n", [2, 12])
def test_the_query_count_does_not_grow_with_the_selection(
        client, agent, team, product_field, n, django_assert_num_queries):
    tickets = _tickets(n, team)
    client.force_login(agent)
    url, data = reverse("tickets:bulk"), {"ids": [t.pk for t in tickets],
                                          "action": "field:product", "value": "laptop"}
    # User, team ids, the locked tickets, the active fields (one, their teams
    # aggregated), the current values, delete, insert values, insert events, update the
    # tickets, and a savepoint pair.
    with django_assert_num_queries(11):
        assert client.post(url, data).status_code == 302
    assert TicketEvent.objects.filter(field="field.product").count() == n


def test_the_queue_offers_a_set_action_per_field(client, agent, all_fields):
    client.force_login(agent)
    page = client.get(reverse("tickets:queue")).text
    assert '<option value="field:product">Set Product</option>' in page
    assert 'data-bulk-for="field:bought_on"' in page and 'type="date"' in page
    assert 'data-bulk-for="field:areas" aria-label="Areas" multiple' in page
