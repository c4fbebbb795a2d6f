"""Existing DRF tokens become named read-write tokens with the same key, stored as a
digest; the clear-text rows are then removed. Clients keep sending the same header."""

import hashlib

from django.db import migrations


def move_tokens(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("identity", "ApiToken")
    for token in Token.objects.all().iterator():
        ApiToken.objects.get_or_create(
            key_digest=hashlib.sha256(token.key.encode()).hexdigest(),
            defaults={"user_id": token.user_id, "name": "API token", "prefix": token.key[:8],
                      "scope": "write", "created_at": token.created})
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0001_initial"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(move_tokens, migrations.RunPython.noop)]
