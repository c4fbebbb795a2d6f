from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def send_due_surveys() -> tuple[int, int]:
    """Send due invitations and reminders (beat runs this every few minutes)."""
    return services.send_due_surveys()
