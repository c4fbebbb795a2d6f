"""The insight pages in a real browser: drivers, themes and revenue at risk at 1280 and
1920 px in English and Finnish, screenshots in artifacts/screenshots/insights/
(tests/browser/shots.py), and a renewal recorded through the page's form."""

import random
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from helpdesk.models import User
from metrics.fast.refresh import refresh_rollups
from metrics.insights.themes.fitting import recompute_themes
from surveys.models import FollowUp
from tests.browser.shots import shots_dir
from tests.factories import CustomerFactory, OrganizationFactory, UserFactory
from tests.metrics.conftest import INSIDE, make_response, make_ticket
from tests.metrics.data.labelled_comments import LABELLED
from tickets.models import TicketSLA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = shots_dir("insights")
PERIOD = "from=2026-06-01&to=2026-06-07"


def _data():
    rng = random.Random(3)
    orgs = [OrganizationFactory(name=name, tier=tier, annual_revenue=revenue,
                                active_since=date(2024, 1, 1),
                                churned_at=date.today() - timedelta(days=20) if churned else None)
            for name, tier, revenue, churned in (
                ("Kesko Demo Oy", "enterprise", 420_000, False), ("Pieni Paja Oy", "standard", 18_000, True),
                ("Northwind Ltd", "premium", 95_000, False), ("Acme Oy", "premium", 60_000, True),
                ("Lumi Labs", "standard", 24_000, False))]
    customers = [CustomerFactory(organization=o) for o in orgs]
    comments = [c for topic in LABELLED.values() for c in topic]
    for i in range(150):
        reopened = rng.random() < 0.25
        ticket = make_ticket(customer=rng.choice(customers), channel=rng.choice(["email", "chat", "web"]),
                             priority=rng.choice(["low", "normal", "high"]), reopen_count=int(reopened),
                             public_reply_count=rng.choice([1, 1, 2, 3, 4]), first_response_at=INSIDE,
                             solved_at=INSIDE + timedelta(hours=2))
        breached = rng.random() < 0.3
        TicketSLA.objects.create(ticket=ticket, first_response_due_at=INSIDE, first_response_breached=breached,
                                 resolution_due_at=INSIDE, resolution_breached=rng.random() < 0.3)
        lift = -4 if reopened else 0
        lift += -2 if breached else 1
        org = ticket.customer.organization
        for metric, (low, high) in (("nps", (0, 10)), ("csat", (1, 5)), ("ces", (1, 7))):
            score = min(high, max(low, rng.randint(low + (high - low) // 2, high) + lift * (high - low) // 10))
            response = make_response(metric, score, ticket=ticket, organization=org,
                                      organization_tier=org.tier, comment=comments[i % len(comments)]
                                      if metric == "nps" else "", created_at=INSIDE + timedelta(minutes=i))
            if metric == "nps" and score <= 6 and i % 3 == 0:
                closed = INSIDE + timedelta(hours=rng.choice([10, 70]))
                fu = FollowUp.objects.create(response=response, ticket=ticket, created_at=INSIDE,
                                             due_at=INSIDE + timedelta(hours=48),
                                             status=FollowUp.Status.CLOSED if i % 2 else FollowUp.Status.OPEN,
                                             closed_at=closed if i % 2 else None)
                if i % 2:
                    fu.renewal = "renewed" if closed < fu.due_at or i % 4 == 1 else "churned"
                    fu.renewal_recorded_at = timezone.now()
                    fu.save(update_fields=["renewal", "renewal_recorded_at"])
    recompute_themes()
    refresh_rollups(since=date(2026, 5, 30), until=date(2026, 6, 8))


def _sign_in(page, live_server, user):
    page.set_default_timeout(60_000)  # a shared 2-core machine
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])


@pytest.mark.parametrize("language", ["en", "fi"])
def test_insight_pages_screenshots(page, live_server, language):
    _data()
    manager = UserFactory(email="maija@helpdesk.test", name="Maija Manager", role=User.Role.MANAGER)
    manager.language = language
    manager.save(update_fields=["language"])
    _sign_in(page, live_server, manager)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in (("drivers", f"/metrics/drivers/?{PERIOD}&metric=nps"),
                       ("drivers-csat", f"/metrics/drivers/?{PERIOD}&metric=csat"),
                       ("themes", f"/metrics/themes/?{PERIOD}&metric=nps"),
                       ("revenue", f"/metrics/revenue-at-risk/?{PERIOD}")):
        for width in (1280, 1920):
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200
            page.screenshot(path=str(SHOTS / f"{name}-{language}-{width}.png"), full_page=True)
    page.goto(f"{live_server.url}/metrics/drivers/?{PERIOD}&metric=nps")
    heading = "Keskeiset tekijät" if language == "fi" else "Key drivers"
    assert page.locator("h1").inner_text() == heading
    assert page.locator("table.drivers-table tbody tr").count() > 20
    # The themes page opens a theme's responses.
    page.goto(f"{live_server.url}/metrics/themes/?{PERIOD}&metric=nps")
    page.locator(".theme-list li a[href*='theme=']").first.click()
    page.wait_for_load_state()
    assert "theme=" in page.url and page.locator("table.metrics-table tbody tr").count() >= 1


def test_recording_a_renewal_on_the_revenue_page(page, live_server):
    _data()
    manager = UserFactory(email="maija@helpdesk.test", name="Maija Manager", role=User.Role.MANAGER)
    _sign_in(page, live_server, manager)
    page.goto(f"{live_server.url}/metrics/revenue-at-risk/?{PERIOD}")
    before = FollowUp.objects.filter(renewal="churned").count()
    page.locator("form.renewal-form button[value=churned]").first.click()
    page.wait_for_load_state()
    assert "revenue-at-risk" in page.url
    assert FollowUp.objects.filter(renewal="churned").count() == before + 1
