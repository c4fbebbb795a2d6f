"""Events the tickets app announces. Other apps listen; tickets imports none of them.

Every signal is sent after the transaction that caused it has committed, with
``sender=Ticket`` and keyword arguments only.
"""

from django.dispatch import Signal

#: A ticket was created on any channel. kwargs: ``ticket_id``, ``message_id`` (its first
#: message), ``actor_id`` (the agent who logged it, or None), ``acknowledge`` (False when
#: the message is automatic or the agent chose not to acknowledge it), ``channel`` (the
#: ticket's channel, which never changes).
ticket_created = Signal()

#: A ticket became solved. kwargs: ``ticket_id``, ``actor_id`` (staff user or None).
ticket_solved = Signal()

#: A ticket became closed (by an agent or the quiet-period sweep). kwargs: ``ticket_id``.
ticket_closed = Signal()

#: A solved ticket was reopened (by a customer reply or an agent). kwargs: ``ticket_id``.
ticket_reopened = Signal()

#: A message was added to a ticket's thread. kwargs: ``ticket_id``, ``message_id``,
#: ``author_type`` ("customer", "agent", "system"), ``public`` (bool). Where the sender
#: knows them, also ``ticket_channel`` (the ticket's channel), ``is_automatic`` (an
#: auto-reply) and ``first`` (True: the message that opened the ticket); a receiver
#: that needs one the sender left out reads it from the database.
message_added = Signal()

#: The assignee changed. kwargs: ``ticket_id``, ``assignee_id`` (or None), ``actor_id``.
ticket_assigned = Signal()

#: Priority, team or status changed. kwargs: ``ticket_id``, ``field``, ``old``, ``new``.
ticket_changed = Signal()

#: One change set was applied by ``apply_ticket_changes`` (whoever made it: an agent
#: on the ticket page, the API, bulk actions, the portal, a macro, a rule, the
#: automatic assignment). Sent once per change set, after commit, only when something
#: changed; the per-field signals above still fire as well. kwargs:
#:
#: - ``ticket_id``: the ticket;
#: - ``changes``: ``{field: [old, new]}`` for each field that changed, among
#:   ``team`` and ``assignee`` (ids or None), ``priority``, ``status`` (values) and
#:   ``tags`` (sorted lists of names);
#: - ``actor_id``: the staff user, or None for the system;
#: - ``source``: the door the change came through ("web", "api", "bulk", "portal",
#:   "rule", "automation", "macro", "assignment", …);
#: - ``depth``: 0 for a change made by a person or intake; a rule that changes the
#:   ticket in reaction passes ``depth + 1``, so chains of rules can be bounded;
#: - ``batch`` (a bulk change only): the ids of every ticket it changed, for receivers
#:   that act once for all of them.
ticket_updated = Signal()
