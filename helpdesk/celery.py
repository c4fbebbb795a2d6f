"""The Celery app. Tasks run in-process (eager) when no REDIS_URL is configured."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic work. Each entry names a task that calls one service.
app.conf.beat_schedule = {
    # Automations (rules app), auto-close among them (docs/rules.md).
    "run-automations": {
        "task": "rules.tasks.run_automations",
        "schedule": crontab(minute="*/5"),
    },
}
app.conf.beat_schedule["sweep-outbox"] = {
    "task": "helpdesk.tasks.sweep_outbox",
    "schedule": crontab(minute="*"),
}
app.conf.beat_schedule["send-due-surveys"] = {
    "task": "surveys.tasks.send_due_surveys",
    "schedule": crontab(minute="*/5"),
}
app.conf.beat_schedule["check-sla"] = {
    "task": "tickets.tasks.check_sla",
    "schedule": crontab(minute="*"),
}
app.conf.beat_schedule["metrics-weekly-digest"] = {
    "task": "metrics.tasks.send_weekly_digest",
    "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
}
app.conf.beat_schedule["poll-mailbox"] = {
    "task": "tickets.tasks.poll_mailbox",
    "schedule": crontab(minute="*"),
}
app.conf.beat_schedule["metrics-refresh-rollups"] = {
    "task": "metrics.tasks.refresh_metric_rollups",
    "schedule": crontab(minute="*/10"),
}
app.conf.beat_schedule["metrics-refresh-rollups-nightly"] = {
    "task": "metrics.tasks.refresh_metric_rollups",
    "schedule": crontab(minute=40, hour=2),
    "kwargs": {"days": 35},
}
# Comment themes refitted nightly, after the nightly rollups (docs/insights.md); new
# comments get a theme as they arrive.
app.conf.beat_schedule["metrics-comment-themes"] = {
    "task": "metrics.tasks.recompute_comment_themes",
    "schedule": crontab(minute=10, hour=3),
}
app.conf.beat_schedule["forget-intake-nonces"] = {
    "task": "tickets.tasks.forget_intake_nonces",
    "schedule": crontab(minute="*/10"),
}
app.conf.beat_schedule["prune-throttles"] = {
    "task": "helpdesk.tasks.prune_throttles",
    "schedule": crontab(minute=17),
}
app.conf.beat_schedule["sweep-webhook-deliveries"] = {
    "task": "integrations.tasks.sweep_webhook_deliveries",
    "schedule": crontab(minute="*"),
}
app.conf.beat_schedule["apply-retention"] = {
    "task": "tickets.tasks.apply_retention",
    "schedule": crontab(minute=25, hour=3),
}
# Relationship surveys and alerts above the noise (docs/relationship-surveys.md).
app.conf.beat_schedule["start-relationship-waves"] = {
    "task": "surveys.tasks.start_relationship_waves",
    "schedule": crontab(minute=5, hour=6),
}
app.conf.beat_schedule["metrics-evaluate-alerts"] = {
    "task": "metrics.tasks.evaluate_alerts",
    "schedule": crontab(minute=25),
}
# Live chat: abandoned waiting chats become missed, idle ones end (docs/live-chat.md).
app.conf.beat_schedule["chat-sweep"] = {
    "task": "chat.tasks.sweep_chats",
    "schedule": crontab(minute="*"),
}
