"""Outbox tasks. Retries are not Celery retries: a failed row goes back to the
queue with ``next_attempt_at`` (exponential backoff) and the sweeper sends it when
due, so retries survive a broker outage and a worker restart alike."""

from celery import shared_task

from . import outbox


@shared_task(ignore_result=True)
def send_outbound_email(email_id: int) -> bool:
    return outbox.send_one(email_id)


@shared_task(ignore_result=True)
def send_outbound_emails(email_ids: list[int]) -> int:
    """Many rows in one task (the email intake's batch, outbox.held): one message to the
    broker instead of one per email. Each row is claimed and sent as by
    ``send_outbound_email``, which still takes the rows queued one at a time."""
    return outbox.send_many(email_ids)


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    """Send rows whose task never ran (broker down) or whose backoff is over."""
    return len(outbox.sweep())


@shared_task(ignore_result=True)
def prune_throttles() -> int:
    """Delete rate-limit buckets and used sign-in links that decide nothing any more."""
    from . import throttle

    return sum(throttle.prune())
