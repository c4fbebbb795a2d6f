"""Webhook tasks. Retries are not Celery retries: a failed delivery stays pending with
``next_attempt_at`` (exponential backoff) and the sweeper sends it when due, so
retries survive a broker outage and a worker restart alike."""

from celery import shared_task

from . import sending


@shared_task(ignore_result=True)
def send_webhook_delivery(delivery_id: int) -> bool:
    return sending.send_one(delivery_id)


@shared_task(ignore_result=True)
def sweep_webhook_deliveries() -> int:
    """Send deliveries whose retry is due or whose task never ran."""
    return len(sending.sweep())
