"""Promoters activated: the one ask of a promoter's thank-you, as a tracked link."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F
from django.utils import timezone

from .. import emails
from ..models import PromoterAsk, Response, SurveyProgram


def send_promoter_ask(*, response: Response, program: SurveyProgram, now: datetime) -> None:
    """The thank-you with the program's ask (review, referral, case study, beta), once per
    response; nothing when the program has no ask or the customer cannot be written to."""
    kind, url = program.ask()
    customer = response.customer
    if not url or customer.bounced or customer.survey_opt_out:
        return
    ask, created = PromoterAsk.objects.get_or_create(
        response=response, defaults={"kind": kind, "url": url, "sent_at": now})
    if created:
        emails.send_promoter_thanks(response=response, ask=ask)


def record_ask_click(*, ask_id: int, now: datetime | None = None) -> PromoterAsk | None:
    """Count a click (the first one dates the activation) and return where it leads."""
    now = now or timezone.now()
    ask = PromoterAsk.objects.filter(pk=ask_id).first()
    if ask is None:
        return None
    PromoterAsk.objects.filter(pk=ask_id).update(clicks=F("clicks") + 1)
    PromoterAsk.objects.filter(pk=ask_id, clicked_at=None).update(clicked_at=now)
    return ask
