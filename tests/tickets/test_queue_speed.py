"""What keeps the ticket list fast on a million tickets (docs/performance.md): the sidebar's
counts as one UNION ALL of per-queue counts, sorts by priority and status along their rank
indexes, and a bounded count for filtered lists."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.factories import CustomerFactory, TicketFactory
from tests.sidebar import queue_counts as sidebar_counts
from tickets.custom_field_query import QUEUE_COUNT_BOUND
from tickets.models import PRIORITY_RANK, STATUS_RANK, Ticket, TicketSLA
from tickets.models.core import PRIORITY_ORDER, STATUS_ORDER
from tickets.queries import visible_tickets
from tickets.views import queues

S = Ticket.Status


def _ticket(team, **kwargs):
    return TicketFactory(team=team, customer=CustomerFactory(), **kwargs)


def _listed(client, **params):
    response = client.get(reverse("tickets:queue"), params)
    assert response.status_code == 200
    return response.context["page"]


def test_rank_orders_and_index_conditions_repeat_the_model_choices():
    assert tuple(Ticket.Priority.values) == PRIORITY_ORDER
    assert tuple(S.values) == STATUS_ORDER
    indexes = {i.name: i for i in Ticket._meta.indexes}
    unresolved = [name for name in indexes if name.startswith("ticket_unresolved_")]
    assert len(unresolved) >= 4  # customer, queue counts, id order, "mine"
    for name, statuses in ([(name, Ticket.UNRESOLVED) for name in unresolved]
                           + [("ticket_solved_queue_idx", (S.SOLVED, S.CLOSED))]):
        (lookup, values), = indexes[name].condition.children
        assert lookup == "status__in" and set(values) == set(statuses), name
    unassigned = dict(indexes["ticket_unassigned_idx"].condition.children)
    assert unassigned.keys() == {"status__in", "assignee__isnull"}
    assert unassigned["assignee__isnull"] is True
    assert set(unassigned["status__in"]) == set(Ticket.UNRESOLVED)
    # The recently solved queue is the solved index's statuses over a period.
    assert set(dict(queues._recently_solved(timezone.now()).children)["status__in"]) == {
        S.SOLVED, S.CLOSED}


def test_every_queue_count_equals_its_listed_tickets(client, agent, manager, team, other_team,
                                                      other_agent):
    now = timezone.now()
    _ticket(team, assignee=agent)
    _ticket(team, assignee=agent, status=S.PENDING)
    _ticket(team)
    _ticket(other_team)
    _ticket(other_team, assignee=agent)  # assigned to the agent: visible to them
    _ticket(team, status=S.SOLVED, solved_at=now - timedelta(days=1))
    _ticket(team, status=S.CLOSED, solved_at=now - timedelta(days=30))  # not recent
    late = _ticket(team, assignee=other_agent)
    TicketSLA.objects.create(ticket=late, resolution_due_at=now - timedelta(minutes=1))
    solved_late = _ticket(team, status=S.SOLVED, solved_at=now)
    TicketSLA.objects.create(ticket=solved_late, resolution_breached=True)  # resolved: not at risk
    for user in (agent, manager):
        client.force_login(user)
        counts = sidebar_counts(client)
        for key, n in counts.items():
            listed = Ticket.objects.filter(
                pk__in=[t.pk for t in _listed(client, view=key).object_list])
            assert n == listed.count(), (user, key)
        assert counts["solved"] == 2 and counts["sla"] == 1
    assert counts == {"mine": 0, "unassigned": 2, "open": 6, "pending": 1, "solved": 2, "sla": 1}


def _listed_context(client, **params):
    return client.get(reverse("tickets:queue"), params).context


def test_queue_counts_are_zero_for_empty_queues(agent, team):
    conditions = queues.queue_conditions(agent, timezone.now())
    assert queues.queue_counts(Ticket.objects.all(), conditions) == dict.fromkeys(conditions, 0)


def test_sort_by_priority_urgent_first_newest_first_within_a_priority(client, manager, team):
    low = _ticket(team, priority="low")
    urgent_old = _ticket(team, priority="urgent")
    normal = _ticket(team, priority="normal")
    urgent_new = _ticket(team, priority="urgent")
    client.force_login(manager)
    page = _listed(client, view="all", sort="priority")
    assert [t.pk for t in page.object_list] == [urgent_new.pk, urgent_old.pk, normal.pk, low.pk]
    page = _listed(client, view="all", sort="-priority")
    assert [t.pk for t in page.object_list] == [low.pk, normal.pk, urgent_old.pk, urgent_new.pk]


def test_sort_by_status_follows_the_lifecycle_not_the_alphabet(client, manager, team):
    closed = _ticket(team, status=S.CLOSED)
    on_hold = _ticket(team, status=S.ON_HOLD)
    new = _ticket(team, status=S.NEW)
    pending = _ticket(team, status=S.PENDING)
    client.force_login(manager)
    page = _listed(client, view="all", sort="status")
    assert [t.pk for t in page.object_list] == [new.pk, pending.pk, on_hold.pk, closed.pk]
    page = _listed(client, view="all", sort="-status")
    assert [t.pk for t in page.object_list] == [closed.pk, on_hold.pk, pending.pk, new.pk]


def test_every_ticket_is_counted_up_to_a_bound(client, manager, team, monkeypatch):
    from tickets import custom_field_query

    monkeypatch.setattr(custom_field_query, "QUEUE_COUNT_BOUND", 30)
    for _ in range(31):
        _ticket(team, status=S.CLOSED)
    client.force_login(manager)
    response = client.get(reverse("tickets:queue"), {"view": "all", "sort": "priority"})
    assert "more than 30 tickets" in response.text
    last = _listed(client, view="all", sort="priority", page=2)
    assert len(last.object_list) == 6  # pages past the first stay reachable
    assert QUEUE_COUNT_BOUND == 1000


@pytest.mark.parametrize("rows", [3, 40])
@pytest.mark.parametrize("sort", ["priority", "-status"])
def test_whole_list_sorted_query_count_is_constant(client, manager, team, rows, sort,
                                                   django_assert_num_queries):
    for _ in range(rows):
        _ticket(team)
    client.force_login(manager)
    client.get(reverse("tickets:queue"))  # reads teams, agents and macros into the copy
    # user, bounded count, page, saved filters, field filters: the sidebar's
    # counts come in a request of their own (tests/sidebar.py); teams, agents and macros
    # from the process's copy (tickets/directory.py)
    with django_assert_num_queries(5):
        response = client.get(reverse("tickets:queue"), {"view": "all", "sort": sort})
    assert response.status_code == 200


# PostgreSQL only: SQLite matches an expression index only against literal constants,
# never bound parameters, so there the sorts stay in memory (fine at SQLite's sizes).
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                     reason="the rank indexes serve PostgreSQL")


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A handful of test rows: forbid the sort so the plan shows whether the index can
        # serve the order at all, i.e. whether the ORDER BY is the index's expression.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgresql_only
@pytest.mark.parametrize(("sort", "index"), [("priority", "ticket_priority_rank_idx"),
                                             ("-priority", "ticket_priority_rank_idx"),
                                             ("status", "ticket_status_rank_idx"),
                                             ("-status", "ticket_status_rank_idx")])
def test_the_sorted_whole_list_reads_along_the_rank_index(db, sort, index):
    tickets, _ = queues.apply_sort(Ticket.objects.all(), sort)
    plan = _plan(tickets.select_related("customer", "assignee", "team", "sla")[:25])
    assert index in plan, plan


@postgresql_only
@pytest.mark.parametrize("sort", ["-updated", "updated"])
@pytest.mark.parametrize(("view", "index"), [("mine", "ticket_unresolved_mine_idx"),
                                             ("unassigned", "ticket_unassigned_idx")])
@pytest.mark.parametrize("persona", ["agent", "manager"])
def test_my_and_unassigned_open_tickets_read_along_an_index_in_either_order(
        request, team, persona, view, index, sort):
    """An agent's default list and the triage list: open tickets by last change, a page
    at a time, for an agent (their teams' tickets) and a manager (all)."""
    user = request.getfixturevalue(persona)
    conditions = queues.queue_conditions(user, timezone.now())
    tickets, _ = queues.apply_sort(visible_tickets(user).filter(conditions[view]), sort)
    plan = _plan(tickets.select_related("customer", "assignee", "team", "sla")[:25])
    assert index in plan and "Sort" not in plan, plan


@postgresql_only
@pytest.mark.parametrize(("ranked", "index"), [("priority", "ticket_priority_rank_idx"),
                                               ("-status", "ticket_status_rank_idx")])
def test_the_api_ordering_reads_along_the_same_index(db, ranked, index):
    name = ranked.lstrip("-")
    rank = {"priority": PRIORITY_RANK, "status": STATUS_RANK}[name]
    order = ("-" if ranked.startswith("-") else "")
    tickets = Ticket.objects.alias(r=rank).order_by(f"{order}r", f"{order}id")[:25]
    assert index in _plan(tickets)


def test_a_reopened_ticket_is_back_in_the_sla_queue(client, agent, team):
    from tickets import services

    ticket = services.create_ticket(services.NewTicket(
        subject="Late", body="Hello", customer=CustomerFactory(), team=team))
    TicketSLA.objects.update_or_create(ticket=ticket, defaults={
        "resolution_due_at": timezone.now() - timedelta(minutes=1)})
    client.force_login(agent)

    def sla_count():
        return sidebar_counts(client)["sla"]

    assert sla_count() == 1
    services.change_status(ticket=ticket, status="solved", actor=agent)
    assert TicketSLA.objects.get(ticket=ticket).resolution_calendar_seconds is not None
    assert sla_count() == 0
    services.change_status(ticket=ticket, status="open", actor=agent)
    assert TicketSLA.objects.get(ticket=ticket).resolution_calendar_seconds is None
    assert sla_count() == 1
