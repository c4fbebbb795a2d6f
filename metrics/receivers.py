"""The survey events metrics hears. Each receiver hands the event to one function."""

import logging

from django.dispatch import receiver

from surveys.models import Response
from surveys.signals import response_recorded

from .insights.themes import fitting

log = logging.getLogger(__name__)


@receiver(response_recorded, dispatch_uid="metrics.assign_comment_theme")
def on_response_recorded(sender, *, response_id: int, **kwargs) -> None:
    """Give a new or changed comment its theme (docs/insights.md: < 50 ms). Sent after
    commit, so a failure here can only leave the comment without a theme until the
    next scheduled refit, never fail the customer's answer."""
    try:
        response = Response.objects.filter(pk=response_id).first()
        if response is not None:
            fitting.assign(response)
    except Exception:  # noqa: BLE001 (see the docstring)
        log.exception("Could not assign a theme to response %s", response_id)
