"""Import a relationship program's contact list from CSV (a report line per bad row)."""

from django.core.management.base import BaseCommand, CommandError

from surveys.models import SurveyProgram
from surveys.services.contacts import import_contacts


class Command(BaseCommand):
    help = "Add the contacts of a CSV file (email[,name,organization,language,time_zone])."

    def add_arguments(self, parser):
        parser.add_argument("program", type=int)
        parser.add_argument("path")

    def handle(self, *args, program: int, path: str, **options):
        found = SurveyProgram.objects.filter(pk=program).first()
        if found is None:
            raise CommandError(f"No survey program {program}.")
        with open(path, encoding="utf-8-sig") as handle:
            report = import_contacts(program=found, text=handle.read())
        for line, error in report.errors:
            self.stdout.write(f"line {line}: {error}")
        self.stdout.write(f"{report.imported} contacts imported ({report.created} new), "
                          f"{len(report.errors)} rows refused")
