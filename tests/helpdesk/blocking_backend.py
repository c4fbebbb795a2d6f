"""An email backend for tests that run real worker processes.

It stands for an ESP whose API call takes a while: ``send_messages`` writes a
"started" marker, waits while the gate file exists (or for ``BLOCKING_EMAIL_SECONDS``),
then appends one line per message to the sent log. A process killed while it waits
has sent nothing; the sent log counts what really went out, across processes.

Configured by environment, since it runs in subprocesses: ``BLOCKING_EMAIL_DIR``
(folder for markers and the log), ``BLOCKING_EMAIL_SECONDS`` (fixed delay, optional),
``BLOCKING_EMAIL_AFTER`` ("1": write the log first and block after it, i.e. the ESP
accepted the message but the caller never heard back).
"""

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        folder = Path(os.environ["BLOCKING_EMAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        after = os.environ.get("BLOCKING_EMAIL_AFTER") == "1"
        for message in email_messages:
            message_id = message.extra_headers.get("Message-ID", "")
            if after:  # logged before the marker, so whoever sees the marker sees the log
                self._log(folder, message_id)
            (folder / f"started-{os.getpid()}").write_text(message_id)
            self._wait(folder)
            if not after:
                self._log(folder, message_id)
        return len(email_messages)

    @staticmethod
    def _log(folder: Path, message_id: str) -> None:
        with (folder / "sent.log").open("a") as log:
            log.write(message_id + "\n")

    @staticmethod
    def _wait(folder: Path) -> None:
        seconds = float(os.environ.get("BLOCKING_EMAIL_SECONDS", "0") or 0)
        deadline = time.monotonic() + (seconds or 120)
        gate = folder / "gate"
        while time.monotonic() < deadline:
            if not seconds and not gate.exists():
                return
            time.sleep(0.05)
