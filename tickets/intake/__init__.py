"""Email intake: raw RFC 822 from webhooks, files and IMAP → tickets, through one function.

``receive_raw`` stores, de-duplicates, filters noise, threads and writes through
``tickets.services``; ``retry`` runs a stored (quarantined) message again.
"""

from .receive import IntakeResult, receive_raw, retry

__all__ = ["IntakeResult", "receive_raw", "retry"]
