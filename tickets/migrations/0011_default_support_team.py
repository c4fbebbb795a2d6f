"""A default team for every installation, and a team for every ticket that had none.

A fresh install gets one "Support" team as the default of every channel. An
installation that already has teams keeps them: "Support" if it has one, else its
oldest team, becomes the default. Tickets without a team (created before routing
existed, invisible to agents) join the default team. See docs/teams.md.
"""

from django.db import migrations


def set_default_team(apps, schema_editor):
    Team = apps.get_model("tickets", "Team")
    ChannelDefault = apps.get_model("tickets", "ChannelDefault")
    Ticket = apps.get_model("tickets", "Ticket")
    fallback = ChannelDefault.objects.filter(channel="").select_related("team").first()
    if fallback is not None:
        team = fallback.team
    else:
        team = (Team.objects.filter(name="Support").first()
                or Team.objects.order_by("pk").first()
                or Team.objects.create(name="Support"))
        ChannelDefault.objects.create(channel="", team=team)
    # One UPDATE, however many tickets: no per-row work on a large installation.
    Ticket.objects.filter(team__isnull=True).update(team=team)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0010_intake_routing"),
    ]

    operations = [
        # Reversing keeps the team and the tickets' teams: nothing to undo safely.
        migrations.RunPython(set_default_team, migrations.RunPython.noop),
    ]
