"""The built-in notifications and the auto-close sweep, shipped as rules (rules/defaults.py)."""

from django.conf import settings
from django.db import migrations


def create_default_rules(apps, schema_editor):
    from rules.defaults import TRIGGERS, auto_close_rule

    Rule = apps.get_model("rules", "Rule")
    for position, (key, name, events, conditions, template) in enumerate(TRIGGERS):
        Rule.objects.get_or_create(system_key=key, defaults={
            "name": name, "kind": "trigger", "events": events, "conditions": conditions,
            "actions": [{"type": "notify", "value": {"template": template}}],
            "position": position})
    Rule.objects.get_or_create(system_key="auto_close", defaults={
        **auto_close_rule(settings.HELPDESK_AUTO_CLOSE_HOURS), "position": 0})


def remove_default_rules(apps, schema_editor):
    apps.get_model("rules", "Rule").objects.exclude(system_key="").delete()


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_rules_and_firings")]

    operations = [migrations.RunPython(create_default_rules, remove_default_rules)]
