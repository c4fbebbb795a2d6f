"""The weekly digest email to managers."""

from __future__ import annotations

from celery import shared_task

from . import digest


@shared_task(name="metrics.tasks.send_weekly_digest")
def send_weekly_digest() -> int:
    return digest.send_weekly_digest()
