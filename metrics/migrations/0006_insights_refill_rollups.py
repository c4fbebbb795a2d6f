"""The response facts of the drivers are a new rollup: clear the held days, so beat's
next refresh (refresh_recent) recomputes every day, facts included, instead of the
drivers reading an empty table for days the rollups claim to hold."""

from django.db import migrations


def forget_held_days(apps, schema_editor):
    apps.get_model("metrics", "RollupState").objects.update(covered_from=None, covered_until=None)


class Migration(migrations.Migration):
    dependencies = [("metrics", "0005_insights")]

    operations = [migrations.RunPython(forget_held_days, migrations.RunPython.noop)]
