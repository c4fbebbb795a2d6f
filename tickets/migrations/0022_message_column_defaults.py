"""Database-side defaults for the reply columns of messages, so that rows written by
PostgreSQL COPY (the demo and benchmark seeder, demo/data/sinks.py), which
names only the columns it fills, get empty CC/BCC lists and sender fields. Django's own
writes always give every column, so the model state is unchanged."""

from django.db import migrations

COLUMNS = (("cc", "'[]'::jsonb"), ("bcc", "'[]'::jsonb"), ("sender_name", "''"),
           ("sender_email", "''"), ("signed", "false"))


def set_defaults(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # the COPY path exists only on PostgreSQL
    for column, value in COLUMNS:
        schema_editor.execute(
            f"ALTER TABLE tickets_message ALTER COLUMN {column} SET DEFAULT {value}")
    for column in ("cc", "bcc"):
        schema_editor.execute(
            f"ALTER TABLE tickets_ticket ALTER COLUMN {column} SET DEFAULT '[]'::jsonb")


def drop_defaults(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, _value in COLUMNS:
        schema_editor.execute(f"ALTER TABLE tickets_message ALTER COLUMN {column} DROP DEFAULT")
    for column in ("cc", "bcc"):
        schema_editor.execute(f"ALTER TABLE tickets_ticket ALTER COLUMN {column} DROP DEFAULT")


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0021_privacy"),
    ]

    operations = [migrations.RunPython(set_defaults, drop_defaults)]
