from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def close_quiet_solved_tickets() -> int:
    return services.close_quiet_solved_tickets()
