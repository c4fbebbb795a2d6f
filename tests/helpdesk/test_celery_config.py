"""The Celery settings that keep a worker alive through broker outages (issue 11, item 5).

The behaviour itself is tested with a real worker and a real Redis that is killed
and restarted in tests/helpdesk/test_celery_broker_outages.py; these pin the
configuration that the behaviour relies on, so a later edit cannot quietly undo it.
"""

from importlib.metadata import version

from helpdesk.celery import app


def _release(package: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version(package).split(".")[:2])


def test_worker_never_stops_reconnecting():
    # Celery's default, 100 attempts, ends the worker after about 50 minutes of outage.
    assert app.conf.broker_connection_max_retries is None
    assert app.conf.broker_connection_retry is True
    assert app.conf.broker_connection_retry_on_startup is True
    assert app.conf.broker_channel_error_retry is True


def test_redis_connections_notice_a_dead_broker():
    options = app.conf.broker_transport_options
    assert options["socket_timeout"] > 0
    assert options["health_check_interval"] > 0
    assert options["socket_keepalive"] is True


def test_running_tasks_finish_on_connection_loss():
    assert app.conf.worker_cancel_long_running_tasks_on_connection_loss is False
    assert app.conf.task_acks_late is True


def test_celery_and_kombu_have_the_reconnect_fixes():
    assert _release("celery") >= (5, 7)
    assert _release("kombu") >= (5, 7)
