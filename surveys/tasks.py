from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def send_due_surveys() -> tuple[int, int]:
    """Send due invitations and reminders (beat runs this every few minutes)."""
    return services.send_due_surveys()


@shared_task(ignore_result=True)
def start_relationship_waves() -> int:
    """Start and schedule the relationship waves that are due (beat runs this daily)."""
    return len(services.start_due_waves())
