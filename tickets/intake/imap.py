"""Fetch UNSEEN mail from the configured IMAP mailbox into the intake."""

from __future__ import annotations

import imaplib
import logging
from dataclasses import dataclass, field

from django.conf import settings

from ..models import InboundEmail
from .receive import IntakeResult, batch_size, receive_batch

logger = logging.getLogger(__name__)


@dataclass
class PollResult:
    results: list[IntakeResult] = field(default_factory=list)
    errors: int = 0


def _connect() -> imaplib.IMAP4:
    cls = imaplib.IMAP4_SSL if settings.IMAP_SSL else imaplib.IMAP4
    client = cls(settings.IMAP_HOST, settings.IMAP_PORT, timeout=30)
    client.login(settings.IMAP_USER, settings.IMAP_PASSWORD)
    return client


def poll_mailbox(*, limit: int = 500) -> PollResult:
    """Ingest up to ``limit`` UNSEEN messages, a batch (``receive_batch``) at a time; each
    is marked \\Seen only once its batch is committed.

    BODY.PEEK keeps the fetch from setting \\Seen itself, so a crash between fetch
    and store leaves the message unseen for the next poll (and the intake's
    de-duplication makes that re-read harmless).
    """
    if not settings.IMAP_HOST:
        raise RuntimeError("IMAP_HOST is not configured")
    outcome = PollResult()
    client = _connect()
    try:
        client.select(settings.IMAP_FOLDER)
        _typ, data = client.uid("SEARCH", None, "UNSEEN")
        uids = (data[0] or b"").split()[:limit]
        size = batch_size()
        for start in range(0, len(uids), size):
            fetched_uids, raws = [], []
            for uid in uids[start:start + size]:
                _typ, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next((item[1] for item in fetched if isinstance(item, tuple)), None)
                if raw is None:
                    outcome.errors += 1
                    continue
                fetched_uids.append(uid)
                raws.append(raw)
            # One transaction for the batch: marked seen only once all of it is committed.
            outcome.results += receive_batch(raws, source=InboundEmail.Source.IMAP)
            for uid in fetched_uids:
                client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        try:
            client.logout()
        except Exception:  # already closed: nothing to clean up
            logger.debug("IMAP logout failed", exc_info=True)
    return outcome
