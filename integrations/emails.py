"""Emails about webhooks, written to the outbox in the caller's transaction."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from helpdesk.outbox import queue_email

from .models import WebhookSubscription


def admins():
    User = get_user_model()
    return (User.objects.filter(is_active=True)
            .filter(Q(role=User.Role.ADMIN) | Q(is_superuser=True)).order_by("pk"))


def subscription_disabled(*, subscription: WebhookSubscription) -> int:
    """Tell every admin, each in their language, that the subscription was switched off."""
    last = subscription.deliveries.order_by("-created_at", "-pk").first()
    link = settings.SITE_URL + reverse("admin:integrations_webhooksubscription_change",
                                       args=[subscription.pk])
    sent = 0
    for admin in admins():
        language = admin.language or settings.LANGUAGE_CODE
        with translation.override(language):
            context = {"subscription": subscription, "last": last, "link": link,
                       "hours": settings.HELPDESK_WEBHOOK_DISABLE_AFTER_HOURS,
                       "brand_name": settings.HELPDESK_BRAND_NAME}
            subject = render_to_string("integrations/email/webhook_disabled_subject.txt",
                                       context)
            body = render_to_string("integrations/email/webhook_disabled.txt", context)
        queue_email(kind="webhook_disabled", to=admin.email, subject=" ".join(subject.split()),
                    body_text=body, language=language,
                    related_key=f"webhook_subscription:{subscription.pk}",
                    headers={"Auto-Submitted": "auto-generated"})
        sent += 1
    return sent
