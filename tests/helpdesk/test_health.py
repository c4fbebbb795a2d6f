"""GET /healthz for load balancers: ok/unavailable for anyone, per-check detail only for
staff and for monitoring with HELPDESK_HEALTH_TOKEN (issue 11, item 12)."""

import pytest
from django.db.utils import OperationalError

from helpdesk import views

TOKEN = "monitoring-token-0123456789"  # noqa: S105


@pytest.fixture
def staff_client(client, agent):
    client.force_login(agent)
    return client


def test_anonymous_callers_see_only_the_status(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_staff_see_database_and_broker_detail(staff_client):
    response = staff_client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert data["database"]["ok"] is True
    assert data["broker"]["ok"] is True


def test_the_monitoring_token_shows_detail_and_a_wrong_one_does_not(client, db, settings):
    settings.HELPDESK_HEALTH_TOKEN = TOKEN
    detailed = client.get("/healthz", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    assert detailed["database"]["ok"] is True
    wrong = client.get("/healthz", headers={"Authorization": "Bearer guess"}).json()
    assert wrong == {"status": "ok"}


def test_no_token_configured_means_no_token_accepted(client, db, settings):
    settings.HELPDESK_HEALTH_TOKEN = ""
    assert client.get("/healthz", headers={"Authorization": "Bearer "}).json() == {"status": "ok"}


class DownDatabase:
    vendor = "postgresql"

    def cursor(self):
        raise OperationalError("connection refused")


def test_healthz_is_503_when_the_database_fails(staff_client, monkeypatch):
    # Only the health view's handle is replaced; the test database stays usable.
    monkeypatch.setattr(views, "connection", DownDatabase())
    response = staff_client.get("/healthz")
    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "unavailable"
    assert data["database"] == {"ok": False, "vendor": "postgresql", "error": "OperationalError"}


def test_anonymous_callers_see_503_without_the_reason(client, db, monkeypatch):
    monkeypatch.setattr(views, "connection", DownDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_healthz_is_503_when_the_broker_is_down(staff_client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = staff_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False


def test_healthz_is_never_cached(client, db):
    assert "no-cache" in client.get("/healthz").headers["Cache-Control"]
