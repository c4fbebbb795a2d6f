"""CC and BCC lists as typed by an agent or sent by an API client."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

MAX_ADDRESSES = 20
_SPLIT = re.compile(r"[,;\s]+")


def parse_addresses(value, *, field: str, exclude: str = "") -> list[str]:
    """``value`` (text separated by commas, semicolons or spaces, or a list) as a list
    of distinct lower-case addresses; a ValidationError naming ``field`` and the bad
    address otherwise. ``exclude`` (the customer's own address) is dropped."""
    if isinstance(value, list | tuple):
        parts = [p for item in value for p in _SPLIT.split(str(item))]
    else:
        parts = _SPLIT.split(str(value or ""))
    addresses: list[str] = []
    for part in (p.strip().strip("<>") for p in parts):
        if not part:
            continue
        try:
            validate_email(part)
        except ValidationError:
            raise ValidationError(
                {field: _("“%(value)s” is not a valid email address.") % {"value": part}},
                code="invalid") from None
        part = part.lower()
        if part != exclude.lower() and part not in addresses:
            addresses.append(part)
    if len(addresses) > MAX_ADDRESSES:
        raise ValidationError({field: _("At most %(n)d addresses.") % {"n": MAX_ADDRESSES}},
                              code="too_many")
    return addresses
