"""The wave benchmarks: the app's own command and the case of ``manage.py bench``."""

import re
from io import StringIO

from django.core.management import call_command

from surveys.models import Invitation, RelationshipWave


def test_bench_command_seeds_times_and_leaves_no_wave(db):
    out = StringIO()
    call_command("bench_relationship_wave", "--contacts", "120", "--per-organization", "10",
                 stdout=out)
    text = out.getvalue()
    assert "seeded 120 contacts" in text
    # 6 of 120 were asked ten days ago (one in twenty): the budget skips them.
    assert re.search(r"wave #1 \d+ scheduled, \d+ skipped \{.*'budget': 6", text)
    assert re.search(r"[\d.]+ s wall, [\d.]+ s CPU of this process, \d+ queries", text)
    assert not RelationshipWave.objects.exists()
    assert not Invitation.objects.filter(wave__isnull=False).exists()


def test_bench_case_schedules_a_wave_and_rolls_it_back(db):
    out = StringIO()
    call_command("bench", "--tickets", "20", "--requests", "1", "--only", "Relationship wave",
                 stdout=out)
    assert re.search(r"Relationship wave, every seeded contact\s+[\d.]+\s+[\d.]+\s+\d+\s+200",
                     out.getvalue())
    assert not RelationshipWave.objects.exists()
