"""The Celery worker survives repeated Redis outages (issue 11, item 5).

A private redis-server on a free loopback port is killed and started again five
times while a real `celery -A helpdesk worker` (prefork, acks late, tasks in
flight) is connected to it. The worker must stay alive through all of it and
then run a task sent after the last restart.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from django.db import connection

from helpdesk import outbox
from helpdesk.celery import app
from helpdesk.models import OutboundEmail
from helpdesk.tasks import send_outbound_email

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
OUTAGES = 5

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not DATABASE_URL.startswith(("postgres", "pgsql")),
                       reason="needs a PostgreSQL DATABASE_URL shared with the worker"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


class Redis:
    """A throwaway redis-server: no persistence, so each restart is a clean broker."""

    def __init__(self, port: int, log: Path) -> None:
        self.port, self.log, self.process = port, log, None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=self.log.open("a"), stderr=subprocess.STDOUT)
        assert wait_for(self.answers, 10), "redis-server did not start"

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def broker(tmp_path):
    redis = Redis(free_port(), tmp_path / "redis.log")
    redis.start()
    yield redis
    if redis.process.poll() is None:
        redis.kill()


@pytest.fixture
def worker(transactional_db, broker, tmp_path):
    url = f"redis://127.0.0.1:{broker.port}/0"
    log_path = tmp_path / "worker.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
           "DATABASE_URL": urlunparse(urlparse(DATABASE_URL)._replace(
               path="/" + connection.settings_dict["NAME"])),
           "REDIS_URL": url, "CELERY_TASK_ALWAYS_EAGER": "false",
           # Each send takes a second, so tasks are in flight (unacked) at every outage.
           "EMAIL_BACKEND": "tests.helpdesk.blocking_backend.EmailBackend",
           "BLOCKING_EMAIL_DIR": str(tmp_path / "esp"), "BLOCKING_EMAIL_SECONDS": "1"}
    celery = Path(sys.executable).with_name("celery")
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603
            # As docker-compose.yml runs it, with two processes instead of four.
            [str(celery), "-A", "helpdesk", "worker", "-l", "info", "--concurrency", "2",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    assert wait_for(lambda: "ready." in log_path.read_text(), 60), log_path.read_text()
    yield process, log_path, url
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def queue_some(url: str, n: int) -> list[int]:
    """Rows and their tasks, published on the private broker only (an explicit
    connection: the app's own producer pool stays pointed at the shared Redis)."""
    ids = []
    with app.connection_for_write(url) as connection:
        for _ in range(n):
            email = OutboundEmail.objects.create(
                kind="test", to="someone@example.com", subject="s", body_text="b",
                message_id=outbox.new_message_id())
            send_outbound_email.apply_async(args=[email.pk], connection=connection)
            ids.append(email.pk)
    return ids


def test_worker_survives_five_redis_outages_and_then_works(broker, worker):
    process, log, url = worker
    for outage in range(OUTAGES):
        queue_some(url, 3)
        time.sleep(0.7)  # the worker has taken tasks and is sending: unacked messages
        broker.kill()
        time.sleep(1.0 + outage % 2)  # short and longer outages
        assert process.poll() is None, f"worker exited in outage {outage + 1}:\n" \
                                       + log.read_text()[-4000:]
        broker.start()
        assert wait_for(lambda n=outage: log.read_text().count("Connected to redis") > n + 1, 60), \
            f"worker did not reconnect after outage {outage + 1}:\n" + log.read_text()[-4000:]
        assert process.poll() is None

    [last] = queue_some(url, 1)  # sent after the last restart
    assert wait_for(lambda: OutboundEmail.objects.get(pk=last).status == "sent", 60), \
        log.read_text()[-4000:]
    assert process.poll() is None
    text = log.read_text()
    assert "AttributeError" not in text
    assert "Unrecoverable error" not in text
    assert "Error on restarting" not in text
