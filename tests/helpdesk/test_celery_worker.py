"""A real Celery worker process consumes a task from the real Redis broker and sends
an outbound email recorded in the real PostgreSQL test database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from django.db import connection

from helpdesk.models import OutboundEmail
from helpdesk.tasks import send_outbound_email

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        not (REDIS_URL and DATABASE_URL.startswith(("postgres", "pgsql"))),
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL",
    ),
]


def worker_database_url() -> str:
    """DATABASE_URL pointing at the database this test run created, not the real one."""
    parsed = urlparse(DATABASE_URL)
    return urlunparse(parsed._replace(path="/" + connection.settings_dict["NAME"]))


def wait_for(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


@pytest.fixture
def worker(transactional_db, tmp_path):
    """A `celery -A helpdesk worker` on a queue of its own, so no other worker on the
    shared broker can take this test's task (and look in the wrong database)."""
    queue = f"test-worker-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path / "mail"
    log = (tmp_path / "worker.log").open("w")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    celery = Path(sys.executable).with_name("celery")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter's celery, fixed arguments
        [str(celery), "-A", "helpdesk", "worker", "--pool=solo", "-Q", queue,
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "info"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        yield {"queue": queue, "mail_dir": mail_dir, "log": tmp_path / "worker.log"}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def test_worker_sends_a_queued_outbound_email(worker, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = REDIS_URL
    email = OutboundEmail.objects.create(
        kind="test", to="customer@example.com", subject="Hello from the worker",
        body_text="Sent by a real Celery worker.", message_id=f"<{uuid.uuid4().hex}@test>",
    )
    send_outbound_email.apply_async(args=[email.pk], queue=worker["queue"])

    def sent() -> bool:
        email.refresh_from_db()
        return email.status == OutboundEmail.Status.SENT

    assert wait_for(sent), worker["log"].read_text()[-3000:]
    assert email.sent_at is not None
    files = list(worker["mail_dir"].glob("*.log"))
    assert len(files) == 1
    assert "Hello from the worker" in files[0].read_text()
