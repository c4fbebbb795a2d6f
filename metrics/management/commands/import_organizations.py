from django.core.management.base import BaseCommand

from metrics.importer import import_organizations


class Command(BaseCommand):
    help = "Import organizations' annual_revenue, active_since and churned_at from a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path: str, **options):
        with open(path, encoding="utf-8-sig") as handle:
            result = import_organizations(handle.read())
        for error in result.errors:
            self.stderr.write(error)
        self.stdout.write(f"{result.updated} organizations updated, {len(result.errors)} errors")
