"""Events the tickets app announces. Other apps listen; tickets imports none of them.

Every signal is sent after the transaction that caused it has committed, with
``sender=Ticket`` and keyword arguments only.
"""

from django.dispatch import Signal

#: A ticket was created on any channel. kwargs: ``ticket_id``, ``message_id`` (its first
#: message), ``actor_id`` (the agent who logged it, or None), ``acknowledge`` (False when
#: the message is automatic or the agent chose not to acknowledge it).
ticket_created = Signal()

#: A ticket became solved. kwargs: ``ticket_id``, ``actor_id`` (staff user or None).
ticket_solved = Signal()

#: A ticket became closed (by an agent or the quiet-period sweep). kwargs: ``ticket_id``.
ticket_closed = Signal()

#: A solved ticket was reopened (by a customer reply or an agent). kwargs: ``ticket_id``.
ticket_reopened = Signal()

#: A message was added to a ticket's thread. kwargs: ``ticket_id``, ``message_id``,
#: ``author_type`` ("customer", "agent", "system"), ``public`` (bool).
message_added = Signal()

#: The assignee changed. kwargs: ``ticket_id``, ``assignee_id`` (or None), ``actor_id``.
ticket_assigned = Signal()

#: Priority, team or status changed. kwargs: ``ticket_id``, ``field``, ``old``, ``new``.
ticket_changed = Signal()
