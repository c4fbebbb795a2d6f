"""python manage.py ingest_email PATH... | -  — raw RFC 822 through the email intake."""

from __future__ import annotations

import mailbox
import sys
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tickets.intake import receive_raw
from tickets.intake.parallel import receive_many
from tickets.models import InboundEmail


def _is_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def iter_messages(paths: list[str], stdin=None) -> Iterator[tuple[str, bytes]]:
    """(label, raw bytes) for files, Maildir folders, mbox files and "-" (standard input)."""
    for name in paths:
        if name == "-":
            yield "-", (stdin or sys.stdin.buffer).read()
            continue
        path = Path(name)
        if path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir():
            box = mailbox.Maildir(path, factory=None, create=False)
            for key in sorted(box.keys()):
                with box.get_file(key) as handle:
                    yield f"{name}:{key}", handle.read()
        elif path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                yield str(child), child.read_bytes()
        elif path.is_file() and _is_mbox(path):
            box = mailbox.mbox(path, factory=None, create=False)
            keys = box.keys()
            if len(keys) <= 1:  # one message with its "From " line: keep the bytes as they are
                yield name, path.read_bytes()
                continue
            for key in keys:
                yield f"{name}:{key}", box.get_bytes(key)
        elif path.is_file():
            yield name, path.read_bytes()
        else:
            raise CommandError(f"No such file or directory: {name}")


class Command(BaseCommand):
    help = "Reads raw RFC 822 messages (files, Maildir, mbox or - for standard input) into tickets."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files, Maildir or mbox paths, or -")
        parser.add_argument("--quiet-labels", action="store_true",
                            help="print only the outcome, not the file name")
        parser.add_argument("--jobs", type=int, default=1,
                            help="worker processes (each with its own database connection); "
                                 "the messages of one conversation stay in order in one worker")

    def handle(self, *args, **options):
        if options["jobs"] < 1:
            raise CommandError("--jobs must be at least 1")
        if options["jobs"] > 1:
            self._parallel(options)
            return
        for label, raw in iter_messages(options["paths"]):
            result = receive_raw(raw, source=InboundEmail.Source.FILE)
            line = str(result)
            self.stdout.write(line if options["quiet_labels"] else f"{line}\t{label}")

    def _parallel(self, options) -> None:
        # Read everything first: the messages are grouped into conversations before
        # they are shared out. Outcomes are printed in input order at the end.
        labels, raws = [], []
        for label, raw in iter_messages(options["paths"]):
            labels.append(label)
            raws.append(raw)

        def show(outcome) -> None:
            line = outcome.line
            self.stdout.write(line if options["quiet_labels"] else f"{line}\t{labels[outcome.index]}")

        receive_many(raws, source=InboundEmail.Source.FILE, jobs=options["jobs"], on_outcome=show)
