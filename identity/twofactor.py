"""Two-factor authentication for password sign-ins, on django-otp (docs/identity.md).

A user has at most one TOTP device (an authenticator app) and one static device holding
their recovery codes. django-otp verifies a TOTP code within one step of our clock, never
accepts a code of a time step at or before the last accepted one (so a code works once),
and slows down guessing after failures (exponential delay per device).
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Action
from audit.services import record

RECOVERY_CODES = 10


def totp_device(user, *, confirmed: bool | None = True) -> TOTPDevice | None:
    devices = TOTPDevice.objects.filter(user=user)
    if confirmed is not None:
        devices = devices.filter(confirmed=confirmed)
    return devices.order_by("pk").first()


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (made on first call, kept across reloads)."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def _new_recovery_codes(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes",
                                                   defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


@transaction.atomic
def confirm_totp(*, user, code: str, request=None) -> list[str] | None:
    """Confirm the pending device with a code from the app; returns the recovery codes
    (shown once), or None when the code is wrong."""
    device = pending_totp_device(user)
    if not device.verify_token(code.strip()):
        record(action=Action.TWO_FACTOR_FAILED, actor=user, request=request,
               detail={"stage": "enrolment"})
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _new_recovery_codes(user)
    record(action=Action.TWO_FACTOR_ENABLED, actor=user, request=request, target=user)
    return codes


@transaction.atomic
def regenerate_recovery_codes(*, user, request=None) -> list[str]:
    codes = _new_recovery_codes(user)
    record(action=Action.RECOVERY_CODES, actor=user, request=request, target=user)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def disable_two_factor(*, user, actor=None, request=None) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(action=Action.TWO_FACTOR_DISABLED, actor=actor or user, request=request, target=user)


def verify_code(user, code: str):
    """The device that accepts ``code`` (a TOTP code or a recovery code), else None."""
    code = code.strip().replace(" ", "")
    device = totp_device(user)
    if device is not None and code.isdigit() and device.verify_token(code):
        return device
    for static in StaticDevice.objects.filter(user=user, confirmed=True):
        if static.verify_token(code.lower()):
            return static
    return None
