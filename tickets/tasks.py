from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def close_quiet_solved_tickets() -> int:
    return services.close_quiet_solved_tickets()


@shared_task(ignore_result=True)
def check_sla() -> dict[str, int]:
    """Every minute (beat): SLA breaches and at-risk warnings, each sent once."""
    return services.sla.check_sla()


@shared_task(ignore_result=True)
def poll_mailbox() -> int:
    """Every minute (beat) when IMAP_HOST is set: ingest new mail from the IMAP mailbox."""
    from django.conf import settings

    from .intake.imap import poll_mailbox as poll

    if not settings.IMAP_HOST:
        return 0
    return len(poll().results)


@shared_task(ignore_result=True)
def forget_intake_nonces() -> int:
    """Every 10 minutes (beat): drop intake nonces older than the signature window."""
    from .api.intake import forget_old_nonces

    return forget_old_nonces()


@shared_task(ignore_result=True)
def assign_waiting_tickets(team_ids: list[int]) -> int:
    """Someone has room again (available, capacity, a ticket solved, a team switched to
    automatic): hand the teams' waiting tickets out, oldest first."""
    from .services import assignment

    return assignment.assign_waiting(team_ids=team_ids)


@shared_task(ignore_result=True)
def apply_retention() -> dict[str, int]:
    """Daily: erase old closed tickets' contents and old quarantined mail (docs/privacy.md)."""
    from .privacy import apply_retention as run

    return run()
