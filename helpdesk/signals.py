"""Events the infrastructure announces; feature apps hear them (the infrastructure
imports no feature app, docs/architecture.md)."""

from django.dispatch import Signal

#: An address hard-bounced or reported our mail as spam: stop mailing it.
#: Arguments: ``address`` (str), ``at`` (datetime).
address_bounced = Signal()
