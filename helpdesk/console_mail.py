"""The console email backend of `make run` (docs/demo.md): each message as a person reads
it, not as MIME. Django's console backend prints the raw message, where the text part is
quoted-printable: long lines end in "=" and a survey link is cut in two, so a newcomer
cannot open it from the terminal. This one prints the headers that matter and the plain
text body as it is, and says what else the message carries (its HTML version and files).
"""

from __future__ import annotations

from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.message import EmailMessage

HEADERS = ("Reply-To", "List-Unsubscribe")


class EmailBackend(ConsoleBackend):
    def write_message(self, message: EmailMessage) -> None:
        lines = [f"From: {message.from_email}", f"To: {', '.join(message.to)}"]
        if message.cc:
            lines.append(f"Cc: {', '.join(message.cc)}")
        if message.bcc:
            lines.append(f"Bcc: {', '.join(message.bcc)}")
        if message.reply_to:
            lines.append(f"Reply-To: {', '.join(message.reply_to)}")
        lines.append(f"Subject: {message.subject}")
        extra = [f"{name}: {value}" for name, value in message.extra_headers.items()
                 if name in HEADERS]
        alternatives = [mimetype for _content, mimetype in getattr(message, "alternatives", [])]
        files = [attachment[0] if isinstance(attachment, tuple) else attachment.get_filename()
                 for attachment in message.attachments]
        also = [f"+ {mimetype} version" for mimetype in alternatives]
        also += [f"+ file {name}" for name in files if name]
        self.stream.write("\n".join(lines + extra))
        self.stream.write("\n\n" + str(message.body).rstrip("\n") + "\n")
        if also:
            self.stream.write("\n[" + "; ".join(also) + "]\n")
        self.stream.write("-" * 79 + "\n")
