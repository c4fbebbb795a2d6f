"""The weekly digest email to managers."""

from __future__ import annotations

from celery import shared_task

from . import digest
from .fast import refresh
from .fast.cache import warm_dashboards


@shared_task(name="metrics.tasks.send_weekly_digest")
def send_weekly_digest() -> int:
    return digest.send_weekly_digest()


# Beat refreshes the rollups of the last 2 days every 10 minutes (the dashboards say "as of")
# and the last 35 nightly, which absorbs late changes to older days: a reopen or solve of an
# old ticket, a survey answered or re-scored days later, a reassignment.
RECENT_DAYS, NIGHTLY_DAYS = 2, 35


@shared_task(name="metrics.tasks.refresh_metric_rollups")
def refresh_metric_rollups(days: int = RECENT_DAYS) -> str:
    since, until = refresh.refresh_recent(days=days)
    # statistics too after the nightly refresh, or when it rebuilt every day
    refresh.tidy_rollups(analyze=(until - since).days > RECENT_DAYS + 1)
    # The refresh stamped a new time, so every cached dashboard is stale: compute the
    # unfiltered presets now rather than on some manager's first click.
    warmed = warm_dashboards()
    return f"{since}..{until}, {len(warmed)} dashboards warmed"


@shared_task(name="metrics.tasks.recompute_comment_themes")
def recompute_comment_themes() -> str:
    """Refit the comment themes (docs/insights.md); beat runs it nightly."""
    from .insights.themes.fitting import recompute_themes

    model = recompute_themes()
    return f"{model.themes.count()} themes from {model.comments} comments"


@shared_task(name="metrics.tasks.evaluate_alerts")
def evaluate_alerts() -> int:
    """Fire the alerts above the noise that are due (beat runs this hourly)."""
    from .alerts import evaluate_alerts as evaluate

    return evaluate()


@shared_task(name="metrics.tasks.refresh_field_driver_counts")
def refresh_field_driver_counts() -> str:
    """A custom field's definition changed: its per-day driver counts (docs/insights.md)."""
    from .insights.custom_factors import refresh_all_days

    refresh_all_days()
    return "field driver counts rewritten"


@shared_task(name="metrics.tasks.refresh_ticket_field_driver_counts")
def refresh_ticket_field_driver_counts(ticket_id: int) -> str:
    """A ticket's custom field values changed: the field counts of its responses' days."""
    from .insights.custom_factors import refresh_tickets

    refresh_tickets([ticket_id])
    return f"field driver counts of ticket {ticket_id} rewritten"


@shared_task(name="metrics.tasks.refresh_tickets_field_driver_counts")
def refresh_tickets_field_driver_counts(ticket_ids: list[int]) -> str:
    """One bulk change of a field: the counts of every day of these tickets' responses,
    each day rewritten once."""
    from .insights.custom_factors import refresh_tickets

    refresh_tickets(ticket_ids)
    return f"field driver counts of {len(ticket_ids)} tickets rewritten"
