"""What the audit log hears without being called: sign-ins and sign-outs (Django's auth
signals), role changes and new staff users (the user model), and saves and deletes of
the models listed in ``AUDITED_MODELS`` (rules, webhooks, teams and their members, SLA
policies, business calendars, custom fields, macros, survey programs, chat hours, the
retention periods). Everything else records by calling ``audit.services.record`` itself."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .models import Action
from .services import record

#: Models whose every save and delete is a "settings" or "rule" change in the log.
AUDITED_MODELS = {
    "rules.Rule": Action.RULE_CHANGED,
    "integrations.WebhookSubscription": Action.SETTINGS_CHANGED,
    "tickets.Team": Action.SETTINGS_CHANGED,
    # Who is on a team decides which tickets an agent sees (tickets/policy.py).
    "tickets.TeamMembership": Action.SETTINGS_CHANGED,
    "tickets.SLAPolicy": Action.SETTINGS_CHANGED,
    "tickets.BusinessCalendar": Action.SETTINGS_CHANGED,
    "tickets.WorkingInterval": Action.SETTINGS_CHANGED,
    "tickets.CustomHoliday": Action.SETTINGS_CHANGED,
    "tickets.ChannelDefault": Action.SETTINGS_CHANGED,
    "tickets.ReceivingAddress": Action.SETTINGS_CHANGED,
    "tickets.CustomField": Action.SETTINGS_CHANGED,
    "tickets.Macro": Action.SETTINGS_CHANGED,
    "tickets.CannedResponse": Action.SETTINGS_CHANGED,
    # How long closed tickets' contents and quarantined mail are kept (docs/privacy.md).
    "tickets.RetentionPolicy": Action.SETTINGS_CHANGED,
    "surveys.SurveyProgram": Action.SETTINGS_CHANGED,
    "chat.TeamChatHours": Action.SETTINGS_CHANGED,
}


@receiver(user_logged_in)
def on_logged_in(sender, request, user, **kwargs) -> None:
    method = getattr(request, "audit_sign_in_method", None) or "password"
    record(action=Action.SIGN_IN, actor=user, request=request, detail={"method": method})


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django masks the password in ``credentials``; the email is what was typed.
    email = str(credentials.get("username") or credentials.get("email") or "")[:254]
    if not email:
        return  # an SSO callback without a user: the SSO view records why it failed
    record(action=Action.SIGN_IN_FAILED, request=request, actor=None, actor_email=email,
           detail={"method": "password", "reason": "bad_credentials"})


@receiver(user_logged_out)
def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(action=Action.SIGN_OUT, actor=user, request=request)


@receiver(pre_save, sender=get_user_model())
def remember_old_role(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.pk is None:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "role" not in update_fields \
            and "is_superuser" not in update_fields:
        return
    old = sender.objects.filter(pk=instance.pk).values("role", "is_superuser").first()
    instance._audit_old_role = old


@receiver(post_save, sender=get_user_model())
def on_user_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return
    if created:
        record(action=Action.USER_CREATED, target=instance,
               detail={"role": instance.role, "superuser": instance.is_superuser})
        return
    old = getattr(instance, "_audit_old_role", None)
    instance._audit_old_role = None
    if old and (old["role"] != instance.role or old["is_superuser"] != instance.is_superuser):
        record(action=Action.ROLE_CHANGED, target=instance,
               detail={"old": old["role"], "new": instance.role,
                       "old_superuser": old["is_superuser"],
                       "new_superuser": instance.is_superuser})


def _on_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    fields = kwargs.get("update_fields")
    detail = {"change": "created" if created else "updated"}
    if fields:
        detail["fields"] = sorted(fields)
    record(action=AUDITED_MODELS[sender._meta.label], target=instance, detail=detail)


def _on_deleted(sender, instance, **kwargs):
    record(action=AUDITED_MODELS[sender._meta.label], target=instance,
           detail={"change": "deleted"})


for _label in AUDITED_MODELS:
    try:
        _model = apps.get_model(_label)
    except LookupError:  # an app not installed in this deployment
        continue
    post_save.connect(_on_saved, sender=_model, dispatch_uid=f"audit-save-{_label}")
    post_delete.connect(_on_deleted, sender=_model, dispatch_uid=f"audit-delete-{_label}")
