from django.core.management.base import BaseCommand

from surveys import services


class Command(BaseCommand):
    help = "Send survey invitations and reminders that are due (beat runs this too)."

    def handle(self, *args, **options) -> None:
        invitations, reminders = services.send_due_surveys()
        self.stdout.write(f"{invitations} invitations sent, {reminders} reminders sent")
