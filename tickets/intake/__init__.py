"""Email intake: raw RFC 822 from webhooks, files and IMAP → tickets, through one function.

``receive_raw`` stores, de-duplicates, filters noise, threads and writes through
``tickets.services``; ``retry`` runs a stored (quarantined) message again; ``release`` does so with a sender
the admin chose.
"""

from .receive import IntakeResult, receive_batch, receive_raw, release, retry

__all__ = ["IntakeResult", "receive_batch", "receive_raw", "release", "retry"]
