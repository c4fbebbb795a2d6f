"""Sessions signed in through Django's ModelBackend now name helpdesk's PasswordBackend,
its subclass (helpdesk/auth_views.py): a session naming a backend that is no longer
configured counts as signed out, so without this every agent would be signed out by the
upgrade. Only the backend's name changes; expired sessions are left to clearsessions."""

from django.db import migrations
from django.utils import timezone

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "helpdesk.auth_views.PasswordBackend"


def rename(apps, schema_editor, old=OLD, new=NEW):
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    changed = []
    rows = Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=2000)
    for row in rows:
        data = store.decode(row.session_data)
        if data.get("_auth_user_backend") == old:
            data["_auth_user_backend"] = new
            row.session_data = store.encode(data)
            changed.append(row)
        if len(changed) >= 2000:
            Session.objects.bulk_update(changed, ["session_data"])
            changed = []
    Session.objects.bulk_update(changed, ["session_data"])


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):

    dependencies = [
        ("helpdesk", "0007_user_role_analyst"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
