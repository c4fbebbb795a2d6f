"""Apply the retention settings now (beat runs it daily; docs/privacy.md)."""

from django.core.management.base import BaseCommand

from tickets.models import RetentionPolicy
from tickets.privacy import apply_retention


class Command(BaseCommand):
    help = ("Erases what was written on tickets closed longer ago than the retention "
            "period and deletes quarantined raw email older than its own (set by an admin, "
            "else HELPDESK_RETENTION_CLOSED_MONTHS / HELPDESK_RETENTION_QUARANTINE_DAYS; "
            "0 keeps them).")

    def handle(self, *args, **options):
        policy = RetentionPolicy.current()
        done = apply_retention(policy=policy)  # what is reported is what was applied
        self.stdout.write(
            f"tickets erased: {done['tickets']} "
            f"(retention {policy.closed_ticket_months or 'off'} months); "
            f"quarantined emails deleted: {done['quarantined']} "
            f"(retention {policy.quarantine_days or 'off'} days)")
