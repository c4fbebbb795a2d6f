"""The dashboard's breakdown by a custom dropdown field."""

from django.urls import reverse
from django.utils import timezone

from metrics.custom_fields import breakdown
from metrics.filters import MetricFilters
from tests.factories import CustomerFactory
from tests.tickets.custom_field_fixtures import *  # noqa: F403
from tickets.services import NewTicket, apply_ticket_changes, create_ticket


def _ticket(team, product, *, solve=False):
    ticket = create_ticket(NewTicket(subject="x", body="y", customer=CustomerFactory(), team=team))
    changes = {"fields": {"product": product}} if product else {}
    if solve:
        changes["status"] = "solved"
    apply_ticket_changes(ticket=ticket, changes=changes, actor=None, source="test")
    return ticket


def test_rows_count_tickets_per_option_in_the_fields_order(team, product_field):
    for product, solve in (("printer", True), ("printer", False), ("laptop", True), (None, True)):
        _ticket(team, product, solve=solve)
    now = timezone.now()
    f = MetricFilters(start=now - timezone.timedelta(days=1), end=now + timezone.timedelta(1))
    rows = breakdown(f, product_field)
    assert [(r["key"], r["created"], r["solved"]) for r in rows] == [
        ("printer", 2, 1), ("scanner", 0, 0), ("laptop", 1, 1)]
    assert rows[0]["fcr_pct"] == 0.0  # solved without a public reply is not FCR


def test_the_dashboard_shows_the_breakdown_in_two_queries_more(client, manager, team,
                                                              product_field,
                                                              django_assert_max_num_queries):
    _ticket(team, "printer")
    client.force_login(manager)
    html = client.get(reverse("metrics:dashboard")).content.decode()
    assert "By Product" in html and "field_product=printer" in html
    from metrics import custom_fields

    now = timezone.now()
    f = MetricFilters(start=now - timezone.timedelta(days=1), end=now + timezone.timedelta(1))
    with django_assert_max_num_queries(3):
        custom_fields.dashboard_section({}, f)
