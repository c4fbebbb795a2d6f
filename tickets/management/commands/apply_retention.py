"""Apply the retention settings now (beat runs it daily; docs/privacy.md)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from tickets.privacy import apply_retention


class Command(BaseCommand):
    help = ("Erases what was written on tickets closed longer ago than "
            "HELPDESK_RETENTION_CLOSED_MONTHS and deletes quarantined raw email older than "
            "HELPDESK_RETENTION_QUARANTINE_DAYS (0 keeps them).")

    def handle(self, *args, **options):
        done = apply_retention()
        self.stdout.write(
            f"tickets erased: {done['tickets']} "
            f"(retention {settings.HELPDESK_RETENTION_CLOSED_MONTHS or 'off'} months); "
            f"quarantined emails deleted: {done['quarantined']} "
            f"(retention {settings.HELPDESK_RETENTION_QUARANTINE_DAYS or 'off'} days)")
