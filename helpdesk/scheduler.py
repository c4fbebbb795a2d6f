"""The periodic jobs of Celery beat, run in-process by ``manage.py run_demo`` (docs/demo.md).

`make run` has no Redis and no worker: tasks run eagerly in the web process. This
scheduler reads the same ``beat_schedule`` that production's ``celery beat`` uses
and runs each entry's task in a background thread when its schedule says it is due,
so surveys, reminders, SLA warnings, auto-close, rollup refreshes and the digest
happen in the demo exactly as in production, just without a broker.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.schedules import BaseSchedule, schedule
from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger(__name__)

# Jobs the demo runs more often than production. With the demo programs' two-minute
# delay, checking for due surveys every 5 minutes would make a newcomer wait up to
# seven; every 20 seconds the survey arrives about when the program says.
DEMO_INTERVALS: dict[str, timedelta] = {"send-due-surveys": timedelta(seconds=20)}


@dataclass
class Job:
    name: str
    task: str
    schedule: BaseSchedule
    kwargs: dict
    last_run_at: datetime

    def is_due(self) -> bool:
        return self.schedule.remaining_estimate(self.last_run_at).total_seconds() <= 0


class Scheduler:
    """Beat's schedule, checked every ``tick`` seconds; due jobs run one after another."""

    def __init__(self, *, beat_schedule: dict | None = None,
                 intervals: dict[str, timedelta] | None = None, tick: float = 1.0):
        from helpdesk.celery import app

        self.app = app
        self.tick = tick
        entries = app.conf.beat_schedule if beat_schedule is None else beat_schedule
        intervals = DEMO_INTERVALS if intervals is None else intervals
        started = timezone.now()
        self.jobs = [
            Job(name=name, task=entry["task"],
                schedule=(schedule(intervals[name], app=app) if name in intervals
                          else _bound(entry["schedule"], app)),
                kwargs=dict(entry.get("kwargs") or {}), last_run_at=started)
            for name, entry in entries.items()
        ]
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_pending(self) -> list[str]:
        """Run every job that is due now; the names of those that ran."""
        ran = []
        for job in self.jobs:
            if job.is_due():
                job.last_run_at = timezone.now()
                self.run_job(job)
                ran.append(job.name)
        return ran

    def run_job(self, job: Job) -> None:
        self.app.loader.import_default_modules()  # the tasks' modules (autodiscovery)
        try:
            result = self.app.tasks[job.task].apply(kwargs=job.kwargs)
            if result.failed():
                logger.error("scheduled job %s failed:\n%s", job.name, result.traceback)
            else:
                # The console is where the demo's emails appear: only jobs that did
                # something speak up, the every-20-seconds "nothing due" stays quiet.
                level = logging.INFO if did_something(result.result) else logging.DEBUG
                logger.log(level, "scheduled job %s: %s", job.name, result.result)
        except Exception:  # a broken job must not stop the others
            logger.exception("scheduled job %s failed", job.name)

    def start(self) -> threading.Thread:
        self._thread = threading.Thread(target=self._loop, name="helpdesk-scheduler",
                                        daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float | None = 5) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        logger.info("scheduler started: %s", ", ".join(job.name for job in self.jobs))
        while not self._stop.wait(self.tick):
            if self.run_pending():
                # This thread's own connection, as after a request: a broken or too
                # old one is not kept for the next job. (Only here: called from a
                # test or a request, run_pending must not close the caller's.)
                close_old_connections()


def did_something(result) -> bool:
    """False for the results of a job that found nothing to do: 0, (0, 0), {"x": 0}, None."""
    if isinstance(result, dict):
        return any(did_something(value) for value in result.values())
    if isinstance(result, (list, tuple)):
        return any(did_something(value) for value in result)
    return bool(result)


def _bound(entry_schedule, app) -> BaseSchedule:
    """The entry's schedule bound to the app (its time zone); a number means seconds."""
    if isinstance(entry_schedule, (int, float)):
        entry_schedule = timedelta(seconds=entry_schedule)
    if isinstance(entry_schedule, timedelta):
        return schedule(entry_schedule, app=app)
    entry_schedule.app = app
    return entry_schedule
