"""Events the surveys app announces. Sent after commit, keyword arguments only."""

from django.dispatch import Signal

#: A customer answered a survey (``first`` is False when they changed an earlier
#: answer). kwargs: ``response_id``, ``ticket_id``, ``metric`` ("nps", "csat",
#: "ces"), ``score`` (int), ``first`` (bool). Rules hear it as ``survey.answered``.
response_recorded = Signal()
