"""Give every ticket a value of a benchmark dropdown "product" (docs/custom-fields.md).

One INSERT … SELECT, so a million tickets take seconds, not a loop: tickets that
already hold a value are skipped, so running it again after seeding more tickets
fills in only the new ones. ``manage.py bench --only "custom dropdown"`` then times
the queue and the API filtered by it.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from tickets.models import CustomField

KEY = "bench_product"
# option → share of tickets, by ticket id modulo 10
OPTIONS = [("printer", "Printer", "Tulostin", (0, 1, 2, 3)),
           ("scanner", "Scanner", "Skanneri", (4, 5, 6)),
           ("laptop", "Laptop", "Kannettava", (7, 8)),
           ("phone", "Phone", "Puhelin", (9,))]


class Command(BaseCommand):
    help = "Create the benchmark dropdown and give every ticket a value of it."

    def handle(self, *args, **options):
        field, _ = CustomField.objects.get_or_create(key=KEY, defaults={
            "type": CustomField.Type.DROPDOWN, "label_en": "Product (benchmark)",
            "label_fi": "Tuote (suorituskykytesti)",
            "options": [{"key": k, "en": en, "fi": fi} for k, en, fi, _ in OPTIONS]})
        cases = " ".join(f"WHEN {m} THEN '{key}'" for key, _en, _fi, mods in OPTIONS
                         for m in mods)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO tickets_ticketfieldvalue (ticket_id, field_id, value) "  # noqa: S608
                f"SELECT t.id, %s, CASE t.id %% 10 {cases} END FROM tickets_ticket t "
                "WHERE NOT EXISTS (SELECT 1 FROM tickets_ticketfieldvalue v "
                "WHERE v.ticket_id = t.id AND v.field_id = %s)", [field.pk, field.pk])
            added = cursor.rowcount
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE tickets_ticketfieldvalue")
        self.stdout.write(f"{added} values of {KEY} added.")
