"""Events the tickets app hears from outside: anymail's inbound email webhooks.

anymail's views at ``/anymail/<esp>/inbound/`` check the basic-auth secret and the
ESP's signature, parse the ESP's payload into an AnymailInboundMessage and send
``inbound``; the raw MIME then goes through the same intake as every other path.
"""

from __future__ import annotations

from anymail.signals import AnymailInboundEvent, inbound
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .intake import receive_raw
from .intake.noise import forget_team_addresses
from .models import InboundEmail, Team

# Team addresses are "our own mail" to the intake, which caches them briefly.
post_save.connect(forget_team_addresses, sender=Team, dispatch_uid="tickets.team_saved")
post_delete.connect(forget_team_addresses, sender=Team, dispatch_uid="tickets.team_deleted")


@receiver(inbound, dispatch_uid="tickets.inbound_email")
def on_inbound_email(sender, event: AnymailInboundEvent, esp_name: str, **kwargs) -> None:
    message = event.message
    if message is None:
        return
    recipients = [message.envelope_recipient] if message.envelope_recipient else []
    try:
        raw = message.as_bytes()
    except Exception:  # a header the generator cannot fold: keep the text anyway
        raw = message.as_string().encode("utf-8", "replace")
    receive_raw(raw, source=InboundEmail.Source.WEBHOOK, esp=esp_name,
                recipients=recipients)
