"""GET /healthz for load balancers: database and broker status as JSON."""

from django.db.utils import OperationalError

from helpdesk import views


def test_healthz_is_200_with_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert data["database"]["ok"] is True
    assert data["broker"]["ok"] is True


def test_healthz_is_503_when_the_database_fails(client, db, monkeypatch):
    class DownDatabase:
        vendor = "postgresql"

        def cursor(self):
            raise OperationalError("connection refused")

    # Only the health view's handle is replaced; the test database stays usable.
    monkeypatch.setattr(views, "connection", DownDatabase())
    response = client.get("/healthz")
    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "unavailable"
    assert data["database"] == {"ok": False, "vendor": "postgresql", "error": "OperationalError"}


def test_healthz_is_503_when_the_broker_is_down(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False


def test_healthz_is_never_cached(client, db):
    assert "no-cache" in client.get("/healthz").headers["Cache-Control"]
