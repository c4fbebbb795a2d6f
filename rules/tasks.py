from celery import shared_task

from . import automations


@shared_task(name="rules.tasks.run_automations", ignore_result=True)
def run_automations() -> dict[str, int]:
    """Beat, every five minutes: run each active automation once (rules.automations)."""
    return automations.run_automations()
