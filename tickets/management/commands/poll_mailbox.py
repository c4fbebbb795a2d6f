"""python manage.py poll_mailbox — fetch new mail from the IMAP mailbox once."""

from django.core.management.base import BaseCommand, CommandError

from tickets.intake.imap import poll_mailbox


class Command(BaseCommand):
    help = "Fetches UNSEEN mail from the configured IMAP mailbox (IMAP_* settings) once."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, **options):
        try:
            outcome = poll_mailbox(limit=options["limit"])
        except (OSError, RuntimeError) as exc:
            raise CommandError(f"Could not read the mailbox: {exc}") from exc
        except Exception as exc:  # imaplib.IMAP4.error and friends
            raise CommandError(f"IMAP error: {exc}") from exc
        for result in outcome.results:
            self.stdout.write(str(result))
