"""The ticket list: queues, counts, search, sorting, bulk actions, saved filters."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import CustomerFactory, TicketFactory
from tests.sidebar import queue_counts as sidebar_counts
from tickets import services
from tickets.models import SavedFilter, Ticket, TicketEvent, TicketSLA


def _tickets(n, team, **kwargs):
    return [TicketFactory(team=team, customer=CustomerFactory(), **kwargs) for _ in range(n)]


def _queue_queries(client, django_assert_num_queries, expected, **params):
    # The first page after a change of teams, people or macros reads them into the
    # process's copy (tickets/directory.py, pinned in test_directory.py); pages after it
    # do not.
    client.get(reverse("tickets:queue"), params)
    with django_assert_num_queries(expected):
        response = client.get(reverse("tickets:queue"), params)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("rows", [5, 50])
def test_queue_query_count_is_constant(client, agent, team, rows, django_assert_num_queries):
    tickets = _tickets(rows, team, assignee=agent)
    for t in tickets[:3]:
        TicketSLA.objects.create(ticket=t, resolution_due_at=timezone.now() + timedelta(hours=3))
    client.force_login(agent)
    # user, bounded count, page, saved filters, the custom field filters
    # (docs/custom-fields.md); the agent's teams and the team, agent and macro choices
    # from the process's copy (tickets/directory.py)
    response = _queue_queries(client, django_assert_num_queries, 5)
    assert response.text.count('name="ids"') == min(rows, 25)


@pytest.mark.parametrize("rows", [5, 50])
def test_manager_all_open_query_count_is_constant(client, manager, team, rows,
                                                  django_assert_num_queries):
    _tickets(rows, team)
    client.force_login(manager)
    _queue_queries(client, django_assert_num_queries, 5, view="open", sort="-priority")


def test_counts_beside_each_queue(client, agent, team, other_team):
    _tickets(2, team, assignee=agent)
    _tickets(3, team)
    _tickets(1, team, status=Ticket.Status.PENDING)
    _tickets(4, other_team)  # not visible to the agent
    client.force_login(agent)
    counts = sidebar_counts(client)
    assert counts["mine"] == 2
    assert counts["unassigned"] == 4
    assert counts["open"] == 6
    assert counts["pending"] == 1


def test_sla_queue_shows_breached_tickets(client, agent, team):
    late, fine = _tickets(2, team)
    TicketSLA.objects.create(ticket=late, resolution_due_at=timezone.now() - timedelta(minutes=5))
    TicketSLA.objects.create(ticket=fine, resolution_due_at=timezone.now() + timedelta(days=2))
    client.force_login(agent)
    page = client.get(reverse("tickets:queue"), {"view": "sla"}).context["page"]
    assert [t.pk for t in page.object_list] == [late.pk]


def test_agent_never_sees_other_teams_tickets(client, agent, other_team):
    hidden = _tickets(1, other_team)[0]
    client.force_login(agent)
    html = client.get(reverse("tickets:queue"), {"view": "open"}).text
    assert hidden.reference not in html


def test_search_finds_ticket_by_message_text(client, agent, ticket, team, customer):
    services.create_ticket(services.NewTicket(
        subject="Other", body="nothing here", customer=customer, team=team
    ))
    client.force_login(agent)
    page = client.get(reverse("tickets:search"), {"q": "on fire"}).context["page"]
    assert [t.pk for t in page.object_list] == [ticket.pk]


def test_sorting_by_priority_puts_urgent_first(client, agent, team):
    low = TicketFactory(team=team, priority="low")
    urgent = TicketFactory(team=team, priority="urgent")
    client.force_login(agent)
    page = client.get(reverse("tickets:queue"), {"view": "open", "sort": "priority"}).context["page"]
    assert [t.pk for t in page.object_list] == [urgent.pk, low.pk]


def test_pagination_splits_pages(client, agent, team):
    _tickets(30, team)
    client.force_login(agent)
    page = client.get(reverse("tickets:queue"), {"view": "open", "page": 2}).context["page"]
    assert len(page.object_list) == 5


def test_htmx_filter_returns_only_the_list(client, agent, team):
    _tickets(2, team)
    client.force_login(agent)
    response = client.get(reverse("tickets:queue"), {"view": "open", "priority": "normal"},
                          headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<div id="ticket-list">')


def test_bulk_assign_runs_the_service(client, agent, team):
    tickets = _tickets(3, team)
    client.force_login(agent)
    client.post(reverse("tickets:bulk"), {"ids": [t.pk for t in tickets], "action": "assign",
                                          "value": "me"})
    assert Ticket.objects.filter(assignee=agent).count() == 3
    assert TicketEvent.objects.filter(field="assignee", actor=agent).count() == 3


def test_bulk_status_refused_transition_changes_nothing(client, agent, team):
    open_ticket = TicketFactory(team=team, status=Ticket.Status.OPEN)
    closed = TicketFactory(team=team, status=Ticket.Status.CLOSED)
    client.force_login(agent)
    response = client.post(reverse("tickets:bulk"), {"ids": [open_ticket.pk, closed.pk],
                                                     "action": "status", "value": "pending"},
                           follow=True)
    open_ticket.refresh_from_db()
    assert open_ticket.status == Ticket.Status.OPEN
    assert f"Nothing was changed. {closed.reference}" in response.text


def test_bulk_priority_and_tag(client, agent, team):
    ticket = _tickets(1, team)[0]
    client.force_login(agent)
    client.post(reverse("tickets:bulk"), {"ids": [ticket.pk], "action": "priority", "value": "high"})
    client.post(reverse("tickets:bulk"), {"ids": [ticket.pk], "action": "tag", "value": "VIP"})
    ticket.refresh_from_db()
    assert ticket.priority == "high"
    assert list(ticket.tags.values_list("name", flat=True)) == ["vip"]


def test_bulk_ignores_tickets_the_agent_cannot_see(client, agent, other_team):
    hidden = _tickets(1, other_team)[0]
    client.force_login(agent)
    client.post(reverse("tickets:bulk"), {"ids": [hidden.pk], "action": "priority", "value": "urgent"})
    hidden.refresh_from_db()
    assert hidden.priority == "normal"


def test_bulk_requires_login(client, ticket):
    response = client.post(reverse("tickets:bulk"), {"ids": [ticket.pk], "action": "priority",
                                                     "value": "urgent"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.priority == "normal"


def test_save_and_apply_a_filter(client, agent, team):
    client.force_login(agent)
    client.post(reverse("tickets:save_filter"), {"name": "Urgent", "query": "view=open&priority=urgent"})
    saved = SavedFilter.objects.get(user=agent)
    assert saved.query == "view=open&priority=urgent"
    assert "?view=open&amp;priority=urgent" in client.get(reverse("tickets:queue")).text


def test_saved_filter_of_another_user_cannot_be_deleted(client, agent, other_agent):
    saved = SavedFilter.objects.create(user=other_agent, name="Mine", query="view=open")
    client.force_login(agent)
    client.post(reverse("tickets:delete_filter", args=[saved.pk]))
    assert SavedFilter.objects.filter(pk=saved.pk).exists()


def test_empty_search_lists_nothing(client, agent, ticket):
    client.force_login(agent)
    response = client.get(reverse("tickets:search"))
    assert response.context["page"].paginator.count == 0
    assert "Type words from a subject" in response.text


def test_bulk_with_a_hidden_ticket_counts_it_and_changes_nothing(client, agent, team, other_team):
    mine, hidden = _tickets(1, team)[0], _tickets(1, other_team)[0]
    client.force_login(agent)
    response = client.post(reverse("tickets:bulk"), {"ids": [mine.pk, hidden.pk],
                                                     "action": "priority", "value": "urgent"},
                           follow=True)
    assert response.status_code == 200
    assert "1 of the selected tickets are not yours to change." in response.text
    mine.refresh_from_db()
    assert mine.priority == "normal"


def test_bulk_policy_refusal_is_named_per_ticket_not_a_403(client, agent, team, monkeypatch):
    """The policy is asked again for each ticket inside the change service; should it
    refuse one (say, the agent left the team a moment ago), the batch is refused with
    that ticket named, like a model refusal, instead of a bare 403 page."""
    from django.core.exceptions import PermissionDenied

    from tickets import policy

    first, second = _tickets(2, team)
    real_check = policy.check

    def check(user, action, ticket=None, **kwargs):
        if ticket is not None and ticket.pk == second.pk:
            raise PermissionDenied("You may not change this ticket.")
        return real_check(user, action, ticket, **kwargs)

    monkeypatch.setattr(policy, "check", check)
    client.force_login(agent)
    response = client.post(reverse("tickets:bulk"), {"ids": [first.pk, second.pk],
                                                     "action": "priority", "value": "high"},
                           follow=True)
    assert response.status_code == 200
    assert f"Nothing was changed. {second.reference}: You may not change this ticket." in response.text
    assert Ticket.objects.filter(pk__in=[first.pk, second.pk], priority="high").count() == 0


def test_the_page_lists_without_counting_the_sidebar(client, agent, team, other_team):
    """The sidebar's counts come in a request of their own once the page has shown, and
    every minute after; the page counts only the queue it lists."""
    _tickets(3, team)
    _tickets(2, other_team)  # not the agent's
    client.force_login(agent)
    page = client.get(reverse("tickets:queue"), {"view": "unassigned"})
    counts_url = reverse("tickets:queue_counts")
    assert f'hx-get="{counts_url}" hx-trigger="load, every 60s" hx-swap="none"' in page.text
    assert '<span class="count" id="queue-count-unassigned"></span>' in page.text
    assert page.context["page"].paginator.count == 3  # the listed queue, counted exactly
    sent = sidebar_counts(client)
    assert sent["unassigned"] == 3 and sent["open"] == 3


def test_counts_are_grouped_per_language():
    from django.utils import translation

    from tickets.templatetags.helpdesk_ui import grouped

    with translation.override("en"):
        assert grouped(24507) == "24,507"
    with translation.override("fi"):
        assert grouped(24507) == "24\xa0507"


def test_the_sidebar_request_is_for_staff_only(client, analyst):
    url = reverse("tickets:queue_counts")
    response = client.get(url, headers={"HX-Request": "true",
                                        "HX-Current-URL": "http://testserver/?view=open"})
    assert response.status_code == 200 and not response.content
    assert response["HX-Redirect"] == f"{reverse('login')}?next=/%3Fview%3Dopen"
    client.force_login(analyst)  # analysts see figures, not tickets
    assert client.get(url).status_code == 403


def test_options_escape_values_and_labels_and_mark_the_selected_one():
    from django.utils.safestring import mark_safe

    from tickets.templatetags.helpdesk_ui import options

    html = options([(1, 'Ann "<b>"'), ("x&y", mark_safe("<i>safe</i>")), (3, "Cy")], 3)
    assert html == ('<option value="1">Ann &quot;&lt;b&gt;&quot;</option>'
                    '<option value="x&amp;y"><i>safe</i></option>'
                    '<option value="3" selected>Cy</option>')
