"""Recording an organization's renewal decision on a detractor's follow-up."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.models import User
from tickets.policy import sees_all

from ..models import FollowUp

RENEWAL_VALUES = ("renewed", "churned")


@transaction.atomic
def record_renewal(*, follow_up: FollowUp, outcome: str, user: User,
                   now: datetime | None = None) -> FollowUp:
    """Set (or, with an empty ``outcome``, clear) whether the follow-up's organization
    renewed. Managers only: the renewal is a contract matter, not a ticket one."""
    if not sees_all(user):
        raise PermissionDenied(_("Only managers may record renewals."))
    if outcome not in (*RENEWAL_VALUES, ""):
        raise ValidationError({"outcome": _("Choose renewed, churned or nothing.")},
                              code="invalid")
    follow_up.renewal = outcome
    follow_up.renewal_recorded_at = (now or timezone.now()) if outcome else None
    follow_up.save(update_fields=["renewal", "renewal_recorded_at"])
    return follow_up
