"""The response facts carry the survey kind (the drivers never mix relationship answers
into transactional figures) and the ticket (custom field factors join its values). The
held days are cleared, as in 0006, so that beat's next refresh rewrites every day's facts
with both columns, relationship answers included."""

from django.db import migrations, models


def forget_held_days(apps, schema_editor):
    apps.get_model("metrics", "RollupState").objects.update(covered_from=None, covered_until=None)


class Migration(migrations.Migration):
    dependencies = [("metrics", "0009_alerts")]

    operations = [
        migrations.AddField("responsefacts", "kind",
                            models.CharField(default="transactional", max_length=16)),
        migrations.AddField("responsefacts", "ticket_id", models.BigIntegerField(null=True)),
        migrations.RemoveIndex("responsefacts", "facts_metric_day_idx"),
        migrations.AddIndex("responsefacts", models.Index(fields=["kind", "metric", "day"],
                                                          name="facts_kind_metric_day_idx")),
        migrations.RunPython(forget_held_days, migrations.RunPython.noop),
    ]
