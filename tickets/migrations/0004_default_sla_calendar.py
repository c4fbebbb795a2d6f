"""The default business calendar (Finland, Mon–Fri 8–16 Helsinki) and one SLA policy per priority."""

from datetime import time

from django.db import migrations

# (name, priority, first response, next response, resolution) in business minutes.
DEFAULT_POLICIES = [
    ("Urgent", "urgent", 60, 120, 8 * 60),
    ("High", "high", 2 * 60, 4 * 60, 2 * 8 * 60),
    ("Normal", "normal", 4 * 60, 8 * 60, 3 * 8 * 60),
    ("Low", "low", 8 * 60, 2 * 8 * 60, 5 * 8 * 60),
]


def create_defaults(apps, schema_editor):
    BusinessCalendar = apps.get_model("tickets", "BusinessCalendar")
    WorkingInterval = apps.get_model("tickets", "WorkingInterval")
    SLAPolicy = apps.get_model("tickets", "SLAPolicy")
    if BusinessCalendar.objects.exists():
        return  # an installation that configured its own calendar keeps it
    calendar = BusinessCalendar.objects.create(
        name="Finland office hours", time_zone="Europe/Helsinki", holiday_country="FI",
        is_default=True,
    )
    WorkingInterval.objects.bulk_create(
        WorkingInterval(calendar=calendar, weekday=day, start=time(8), end=time(16))
        for day in range(5)
    )
    for position, (name, priority, first, nxt, resolution) in enumerate(DEFAULT_POLICIES, 1):
        SLAPolicy.objects.create(
            name=name, position=position * 10, priorities=[priority], calendar=calendar,
            first_response_minutes=first, next_response_minutes=nxt,
            resolution_minutes=resolution, warn_at_percent=75,
        )


def remove_defaults(apps, schema_editor):
    BusinessCalendar = apps.get_model("tickets", "BusinessCalendar")
    SLAPolicy = apps.get_model("tickets", "SLAPolicy")
    SLAPolicy.objects.filter(calendar__name="Finland office hours").delete()
    BusinessCalendar.objects.filter(name="Finland office hours").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0003_sla_clock_fields"),
    ]

    operations = [
        migrations.RunPython(create_defaults, remove_defaults),
    ]
