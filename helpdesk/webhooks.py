"""anymail's inbound and tracking webhooks, closed unless configured.

Included at ``/anymail/`` instead of ``anymail.urls``: the same views and URL names
(namespace ``anymail``), each behind a guard that answers 404 when

- ``ANYMAIL_WEBHOOK_SECRET`` (HTTP basic auth) is not set: anymail itself would only
  warn and accept anyone's mail and delivery events;
- the ESP's own webhook settings are missing (e.g. Mailgun's signing key): anymail
  would raise ImproperlyConfigured on every request, i.e. answer 500.

Where the ESP signs its webhooks and the key is set, anymail checks the signature
as well as the basic auth. See docs/email-delivery.md, "Webhook security".
"""

from __future__ import annotations

import logging
from functools import wraps

from anymail.exceptions import AnymailConfigurationError
from anymail.urls import urlpatterns as anymail_urlpatterns
from anymail.utils import get_anymail_setting
from django.http import Http404
from django.urls import URLPattern

logger = logging.getLogger(__name__)

app_name = "anymail"


def webhook_secret_configured() -> bool:
    return bool(get_anymail_setting("webhook_secret", default=None))


def guard(view):
    """The anymail view, or 404 while it is not safely configured."""
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not webhook_secret_configured():
            logger.warning("refused %s: ANYMAIL_WEBHOOK_SECRET is not set", request.path)
            raise Http404("webhook not configured")
        try:
            return view(request, *args, **kwargs)
        except AnymailConfigurationError as exc:
            # Raised when the view is made or validates (a missing ESP key); the
            # receivers behind it never raise it.
            logger.warning("refused %s: the ESP's webhook is not configured: %s",
                           request.path, exc)
            raise Http404("webhook not configured") from None

    return guarded


urlpatterns = [
    URLPattern(pattern.pattern, guard(pattern.callback), pattern.default_args, pattern.name)
    for pattern in anymail_urlpatterns
]
