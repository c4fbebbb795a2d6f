"""A new installation surveys at once: one active CSAT program for every ticket."""

from django.db import migrations


def create_default_program(apps, schema_editor):
    SurveyProgram = apps.get_model("surveys", "SurveyProgram")
    if SurveyProgram.objects.exists():
        return
    SurveyProgram.objects.create(
        name="Customer satisfaction (all tickets)",
        metric="csat",
        question_en="How satisfied were you with the support you received?",
        question_fi="Kuinka tyytyväinen olit saamaasi tukeen?",
        followup_question_en="What is the main reason for your score?",
        followup_question_fi="Mikä on tärkein syy antamaasi arvosanaan?",
        trigger="closed",
        delay_minutes=60,
        throttle_days=30,
        reminder_after_hours=None,
        expiry_days=14,
        followup_due_hours=48,
        active=True,
    )


def remove_default_program(apps, schema_editor):
    apps.get_model("surveys", "SurveyProgram").objects.filter(
        name="Customer satisfaction (all tickets)", invitations__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0002_programs_reminders_skip_reasons")]

    operations = [migrations.RunPython(create_default_program, remove_default_program)]
