"""System checks for what a deployment must not miss (``manage.py check --deploy``)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

# ESPs whose webhook signature anymail checks only when its key is set (the others
# either have no signature, or anymail refuses to run without the key: 404 here).
OPTIONAL_SIGNING_KEYS = {
    "sendgrid": ("SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY",),
    "resend": ("RESEND_SIGNING_SECRET", "RESEND_INBOUND_SECRET"),
    "mailtrap": ("MAILTRAP_TRACKING_SECRET", "MAILTRAP_INBOUND_SECRET"),
}


def _esp() -> str:
    """The anymail ESP the default mailer sends through, e.g. "sendgrid"; "" if none."""
    backend = settings.MAILERS.get("default", {}).get("BACKEND", "") \
        if hasattr(settings, "MAILERS") else getattr(settings, "EMAIL_BACKEND", "")
    parts = backend.split(".")
    return parts[2] if len(parts) > 3 and parts[:2] == ["anymail", "backends"] else ""


@register(Tags.security, deploy=True)
def check_webhook_security(app_configs=None, **kwargs) -> list:
    """Without ANYMAIL_WEBHOOK_SECRET the inbound and tracking webhooks answer 404
    (helpdesk.webhooks): mail sent to the ESP's inbound route never becomes a ticket
    and delivery reports are lost. In development that is the safe default; in a
    deployment it is a mistake, hence an error under ``check --deploy`` only."""
    anymail = getattr(settings, "ANYMAIL", {}) or {}
    messages = []
    if not (anymail.get("WEBHOOK_SECRET") or getattr(settings, "ANYMAIL_WEBHOOK_SECRET", "")):
        messages.append(Error(
            "ANYMAIL_WEBHOOK_SECRET is not set, so the inbound and tracking webhooks at "
            "/anymail/<esp>/ refuse every request (404).",
            hint="Set ANYMAIL_WEBHOOK_SECRET to 'user:long-random-password' and give the "
                 "same credentials to the ESP's webhook URLs.",
            id="helpdesk.E001",
        ))
    esp = _esp()
    missing = [key for key in OPTIONAL_SIGNING_KEYS.get(esp, ()) if not anymail.get(key)]
    if missing:
        messages.append(Warning(
            f"The {esp} webhooks are signed by the ESP, but {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set, so only the basic-auth "
            "secret protects them.",
            hint="Set ANYMAIL_" + " and ANYMAIL_".join(missing) + " from the ESP's dashboard.",
            id="helpdesk.W001",
        ))
    return messages
