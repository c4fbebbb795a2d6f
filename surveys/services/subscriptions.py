from __future__ import annotations

from django.db import transaction

from tickets.models import Customer
from tickets.services import set_survey_opt_out

from ..models import Invitation


@transaction.atomic
def unsubscribe_customer(*, customer_id: int) -> Customer | None:
    """The customer wants no more surveys: opt out and cancel what is still scheduled."""
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        return None
    set_survey_opt_out(customer=customer, opted_out=True)
    Invitation.objects.filter(customer=customer, status=Invitation.Status.SCHEDULED).update(
        status=Invitation.Status.SKIPPED, skip_reason=Invitation.SkipReason.OPTED_OUT)
    return customer
