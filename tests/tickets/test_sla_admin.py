"""Admin for SLA settings: only staff get in; the TicketSLA list is read-only and flat in queries."""

import pytest
from django.urls import reverse

from tests.factories import TicketFactory
from tickets.models import BusinessCalendar, SLAPolicy, TicketSLA

CALENDAR_LIST = reverse("admin:tickets_businesscalendar_changelist")
POLICY_LIST = reverse("admin:tickets_slapolicy_changelist")
SLA_LIST = reverse("admin:tickets_ticketsla_changelist")


def test_anonymous_is_sent_to_login(client, db):
    assert client.get(CALENDAR_LIST).status_code == 302


@pytest.mark.parametrize("persona", ["agent", "manager", "other_agent"])
def test_staff_without_admin_access_is_sent_away(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(POLICY_LIST).status_code == 302


def test_admin_edits_a_calendar_with_its_intervals_and_holidays(client, admin_user):
    client.force_login(admin_user)
    calendar = BusinessCalendar.objects.get(is_default=True)
    page = client.get(reverse("admin:tickets_businesscalendar_change", args=[calendar.pk]))
    assert page.status_code == 200
    assert b"intervals-TOTAL_FORMS" in page.content
    assert b"custom_holidays-TOTAL_FORMS" in page.content


def test_admin_lists_policies_in_order(client, admin_user):
    client.force_login(admin_user)
    page = client.get(POLICY_LIST)
    names = [p.name for p in page.context["cl"].result_list]
    assert names == ["Urgent", "High", "Normal", "Low"]


def test_ticket_sla_cannot_be_added_or_edited(client, admin_user, ticket):
    client.force_login(admin_user)
    assert client.get(reverse("admin:tickets_ticketsla_add")).status_code == 403
    page = client.get(reverse("admin:tickets_ticketsla_change", args=[ticket.pk]))
    assert page.status_code == 200
    assert b'name="first_response_due_at"' not in page.content


@pytest.mark.parametrize("rows", [2, 12])
def test_ticket_sla_list_query_count_is_constant(client, admin_user, rows,
                                                  django_assert_num_queries):
    TicketSLA.objects.bulk_create(TicketSLA(ticket=TicketFactory()) for _ in range(rows))
    client.force_login(admin_user)
    client.get(SLA_LIST)  # warm the session and content types
    with django_assert_num_queries(4):
        assert client.get(SLA_LIST).status_code == 200


def test_admin_saves_policy_conditions_as_lists(client, admin_user):
    client.force_login(admin_user)
    calendar = BusinessCalendar.objects.get(is_default=True)
    response = client.post(reverse("admin:tickets_slapolicy_add"), {
        "name": "VIP chat", "position": 1, "active": "on", "priorities": ["urgent", "high"],
        "channels": ["chat"], "calendar": calendar.pk, "first_response_minutes": 15,
        "warn_at_percent": 75,
    })
    assert response.status_code == 302
    policy = SLAPolicy.objects.get(name="VIP chat")
    assert (policy.priorities, policy.channels, policy.tiers) == (["urgent", "high"], ["chat"], [])
