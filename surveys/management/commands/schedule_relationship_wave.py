"""Start a relationship program's next wave and schedule its invitations now.

    python manage.py schedule_relationship_wave PROGRAM_ID [--start YYYY-MM-DD] [--batch N]

Prints the figures (contacts scheduled and skipped, days covered, seconds). Safe to run
again: a wave asks each contact once; ``--wave ID`` resumes an interrupted wave.
"""

from __future__ import annotations

import time
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from surveys.models import RelationshipWave, SurveyProgram
from surveys.services import waves


class Command(BaseCommand):
    help = "Start and schedule the next wave of a relationship survey program."

    def add_arguments(self, parser):
        parser.add_argument("program", type=int)
        parser.add_argument("--start", type=date.fromisoformat, default=None,
                            help="First day of the wave (default: the next working day).")
        parser.add_argument("--batch", type=int, default=waves.BATCH)
        parser.add_argument("--wave", type=int, default=None, help="Resume this wave.")

    def handle(self, *args, program: int, start, batch: int, wave, **options):
        found = SurveyProgram.objects.filter(pk=program).first()
        if found is None:
            raise CommandError(f"No survey program {program}.")
        began = time.monotonic()
        try:
            current = (RelationshipWave.objects.get(pk=wave, program=found) if wave
                       else waves.start_wave(program=found, starts_on=start))
        except (ValidationError, RelationshipWave.DoesNotExist) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        scheduled, skipped = waves.schedule_wave(wave=current, batch_size=batch)
        self.stdout.write(
            f"wave {current.pk} (#{current.number}): {scheduled} scheduled, {skipped} skipped, "
            f"{current.starts_on}..{current.ends_on}, {time.monotonic() - began:.1f} s")
