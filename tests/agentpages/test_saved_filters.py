"""Saved filters: they save the list as it is now, and show their counts."""

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory, TicketFactory
from tests.sidebar import saved_counts, sidebar
from tickets import services
from tickets.models import SavedFilter

pytestmark = pytest.mark.django_db


def _tickets(n, team, **kwargs):
    return [TicketFactory(team=team, customer=CustomerFactory(), **kwargs) for _ in range(n)]


def test_htmx_list_update_sends_the_current_query_for_saving(client, agent, team):
    client.force_login(agent)
    response = client.get(reverse("tickets:queue"), {"view": "open", "priority": "urgent"},
                          HTTP_HX_REQUEST="true")
    text = response.text
    assert 'id="ticket-list"' in text
    # The save form's query, swapped out of band with the list.
    assert 'id="save-filter-query"' in text and 'hx-swap-oob="true"' in text
    assert 'value="view=open&amp;priority=urgent"' in text


def test_full_page_save_form_carries_the_page_query(client, agent, team):
    client.force_login(agent)
    response = client.get(reverse("tickets:queue"), {"view": "open", "channel": "phone"})
    assert 'value="view=open&amp;channel=phone"' in response.text
    assert 'hx-swap-oob' not in response.text.split('id="save-filter-query"')[1].split(">")[0]


def test_saved_filters_show_their_counts(client, agent, team, other_team):
    _tickets(3, team, priority="urgent")
    _tickets(2, team, priority="low")
    _tickets(4, other_team, priority="urgent")  # not visible to the agent
    tagged = _tickets(1, team, priority="low")[0]
    services.set_tags(ticket=tagged, tags=["vip", "billing"])
    SavedFilter.objects.create(user=agent, name="Urgent", query="view=open&priority=urgent")
    SavedFilter.objects.create(user=agent, name="VIP", query="view=all&tag=vip", position=1)
    SavedFilter.objects.create(user=agent, name="Nothing", query="view=pending", position=2)
    client.force_login(agent)
    page = client.get(reverse("tickets:queue"))
    assert page.text.count("data-saved-count") == 3  # empty until the counts arrive
    assert saved_counts(client) == {"Urgent": 3, "VIP": 1, "Nothing": 0}
    sent = sidebar(client).text
    for item in SavedFilter.objects.filter(user=agent):
        assert f'id="saved-count-{item.pk}"' in page.text
        assert f'id="saved-count-{item.pk}" data-saved-count hx-swap-oob="true"' in sent


def test_saved_filter_count_matches_its_list(client, agent, team):
    _tickets(4, team, priority="high", channel="phone")
    _tickets(2, team, priority="high", channel="email")
    SavedFilter.objects.create(user=agent, name="Phone", query="view=all&priority=high&channel=phone")
    client.force_login(agent)
    counted = saved_counts(client)["Phone"]
    listed = client.get(reverse("tickets:queue") + "?view=all&priority=high&channel=phone")
    assert counted == listed.context["page"].paginator.count == 4


@pytest.mark.parametrize("saved", [1, 15])
def test_queue_query_count_does_not_grow_with_saved_filters(client, agent, team, saved,
                                                            django_assert_num_queries):
    _tickets(5, team, assignee=agent)
    for i in range(saved):
        SavedFilter.objects.create(user=agent, name=f"F{i}", query=f"view=open&tag=t{i}",
                                   position=i)
    client.force_login(agent)
    client.get(reverse("tickets:queue"))  # reads teams, agents and macros into the copy
    # The queue page's 5 (test_queue_views): its saved filters are listed, not counted.
    with django_assert_num_queries(5):
        response = client.get(reverse("tickets:queue"))
    assert response.status_code == 200
    # The sidebar's request: user, the saved filters, every queue's count in one
    # UNION ALL and every saved filter's in another (the agent's teams from the copy).
    # On PostgreSQL the counts are planned without parallel workers (helpdesk.planning):
    # inside the test's transaction SAVEPOINT, SET LOCAL, its reset and RELEASE.
    from django.db import connection

    with django_assert_num_queries(8 if connection.vendor == "postgresql" else 4):
        assert len(saved_counts(client)) == saved


def test_filters_beyond_the_bound_are_listed_without_count(client, agent, team):
    from tickets.views.saved import MAX_COUNTED

    for i in range(MAX_COUNTED + 2):
        SavedFilter.objects.create(user=agent, name=f"F{i:02}", query="view=open", position=i)
    client.force_login(agent)
    assert list(saved_counts(client).values()).count(None) == 2
