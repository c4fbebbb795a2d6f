"""Weekly digest to managers, and churn by period and by NPS category."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from helpdesk.models import OutboundEmail
from metrics import digest
from metrics.importer import import_organizations
from metrics.models import DigestOptOut
from metrics.queries.churn import churn_by_nps_category, churn_by_period
from tests.factories import OrganizationFactory, UserFactory

from .conftest import make_response

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime(2026, 6, 8, 7, 0, tzinfo=ZoneInfo("Europe/Helsinki")))
def test_digest_goes_to_managers_who_did_not_opt_out(manager, agent):
    quiet = UserFactory(email="quiet@helpdesk.test", role="manager")
    DigestOptOut.objects.create(user=quiet)
    make_response("nps", 2, channel="chat")
    make_response("nps", 10, channel="email")
    assert digest.send_weekly_digest() == 1
    email = OutboundEmail.objects.get()
    assert email.to == manager.email
    assert "NPS: 0.0 (n = 2" in email.body_text
    assert "Lowest-scoring channel: Chat" in email.body_text
    assert "&amp;" not in email.body_text


def test_churn_rate_is_lost_over_active_at_start():
    OrganizationFactory(active_since=date(2025, 1, 1))
    OrganizationFactory(active_since=date(2025, 1, 1), churned_at=date(2026, 1, 15))
    OrganizationFactory(active_since=date(2025, 1, 1), churned_at=date(2026, 3, 1))
    OrganizationFactory(active_since=date(2026, 1, 10))  # joined during January
    january = churn_by_period([(date(2026, 1, 1), date(2026, 2, 1))])[0]
    assert (january["active_at_start"], january["churned"]) == (3, 1)
    assert january["churn_pct"] == 33.3


def test_churn_by_nps_category_uses_the_organizations_mean_nps():
    start, end = datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")), datetime(2026, 7, 1,
                                                                       tzinfo=ZoneInfo("UTC"))
    happy = OrganizationFactory(active_since=date(2025, 1, 1))
    unhappy = OrganizationFactory(active_since=date(2025, 1, 1), churned_at=date(2026, 3, 1))
    make_response("nps", 10, organization=happy)
    make_response("nps", 2, organization=unhappy)
    make_response("nps", 6, organization=unhappy)
    rows = {r["category"]: r for r in churn_by_nps_category(
        date(2026, 1, 1), date(2026, 7, 1), responses_from=start - timedelta(days=365),
        responses_to=end)}
    assert (rows["promoter"]["total"], rows["promoter"]["churned"]) == (1, 0)
    assert (rows["detractor"]["total"], rows["detractor"]["churn_pct"]) == (1, 100.0)


def test_import_updates_known_organizations_and_reports_bad_rows():
    org = OrganizationFactory(name="Acme Oy")
    result = import_organizations(
        "name,annual_revenue,active_since,churned_at\n"
        "Acme Oy,12000.50,2024-02-01,\nNobody Ltd,1,,\nAcme Oy,abc,,\n")
    org.refresh_from_db()
    assert result.updated == 1 and len(result.errors) == 2
    assert str(org.annual_revenue) == "12000.50" and org.active_since == date(2024, 2, 1)
