"""Many raw messages through ``receive_batch`` (batches of ``HELPDESK_INTAKE_BATCH``, each
one transaction), optionally in a pool of worker processes.

Order matters only inside one conversation (a reply must find the ticket its
parent created, and replies keep their order), so the messages are grouped into
threads before they are shared out: every Message-ID a message has or refers to
(Message-ID, In-Reply-To, References) and every ticket it names ([HD-n] in the
subject, a signed plus-address) joins one group (union-find). So does the sender's
address: one sender's mail is read by one worker, in order, so that their rate
window counts as one by one, and two workers never create the same new customer at
once (the second one's INSERT waited for the first one's whole batch to commit: a
quarter of the machine idle in ``bench_intake``'s first round, docs/performance.md,
"Email intake", fifth round). Whole groups are packed into portions of about one
batch, each in input order, and a worker takes the next portion when it is free. Each
worker has its own database connection, kept for all its portions.

One gap, by design: a reply that names its ticket only by [HD-n] or a
plus-address, in the same batch as the message that created that ticket, is not
linked to it (the ticket number does not exist before intake); it still threads
when its ticket exists by the time it is read, which holds for mail read from a
mailbox in arrival order unless both land in the same batch of a parallel run.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.util
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesHeaderParser
from email.utils import parseaddr

from django.conf import settings
from django.db import connection, connections

from ..email_tokens import ticket_id_from_address
from .receive import batch_size, receive_batch

logger = logging.getLogger(__name__)
_IDS = re.compile(r"<[^<>\s]+>")
_HEADERS = BytesHeaderParser(policy=policy.compat32)


@dataclass
class Outcome:
    """What one message became, small enough to send back from a worker."""

    index: int
    status: str
    line: str


@dataclass
class RunStats:
    outcomes: list[Outcome] = field(default_factory=list)
    queries: int = 0
    cpu_seconds: float = 0.0
    db_cpu_seconds: float | None = None  # the database backend's, when measured (same host)


def thread_keys(raw: bytes) -> list[str]:
    """The keys that tie a message to its conversation and its sender (header parse only,
    no body)."""
    try:
        headers = _HEADERS.parsebytes(raw[:200_000])
    except Exception:  # unparsable: a group of its own
        return []
    keys = []
    _name, sender = parseaddr(str(headers.get("From", "")))
    if "@" in sender:
        keys.append(f"from:{sender.strip().lower()}")
    for name in ("Message-ID", "In-Reply-To", "References"):
        for value in headers.get_all(name) or ():
            keys += (f"mid:{m.strip('<>')}" for m in _IDS.findall(str(value)))
    prefix = re.escape(settings.HELPDESK_TICKET_PREFIX)
    match = re.search(rf"\[\s*{prefix}-(\d+)\s*\]", str(headers.get("Subject", "")), re.I)
    if match:
        keys.append(f"ticket:{int(match.group(1))}")
    for name in ("To", "Cc", "Delivered-To"):
        for address in _IDS.sub(" ", str(headers.get(name, ""))).replace(",", " ").split():
            if "+" in address and "@" in address:
                ticket_id = ticket_id_from_address(address.strip("<>\"'"))
                if ticket_id:
                    keys.append(f"ticket:{ticket_id}")
    return keys


def group_threads(raws: Sequence[bytes]) -> list[list[int]]:
    """Indices of the messages grouped by conversation, each group in input order."""
    parent = list(range(len(raws)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for index, raw in enumerate(raws):
        for key in thread_keys(raw):
            other = owner.setdefault(key, index)
            a, b = find(index), find(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for index in range(len(raws)):
        groups.setdefault(find(index), []).append(index)
    return list(groups.values())


def portions(raws: Sequence[bytes], size: int) -> list[list[int]]:
    """Whole groups (``group_threads``) packed into portions of about ``size`` mails (one
    batch each), each portion in input order. The pool hands the portions out one at a
    time to whichever worker is free: with two fixed halves, one worker often sat idle
    while the other finished (their mail costs differ), about a tenth of the run."""
    packed: list[list[int]] = []
    current: list[int] = []
    for group in group_threads(raws):
        if current and len(current) + len(group) > size:
            packed.append(sorted(current))
            current = []
        current += group
    if current:
        packed.append(sorted(current))
    return packed


def _backend_cpu() -> tuple[int, float] | None:
    """(pid, user + system CPU seconds) of this connection's PostgreSQL backend, read
    from /proc when the server runs on this host; None anywhere else."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


# Set before the pool forks, so workers read the messages without pickling them.
_BATCH: dict = {}


@contextmanager
def _measured(measure_db: bool) -> Iterator[RunStats]:
    """The CPU, the queries and (``measure_db``) the database backend's CPU of the block."""
    stats, counter = RunStats(), _QueryCounter()
    db_before = _backend_cpu() if measure_db else None
    cpu = time.process_time()
    with connection.execute_wrapper(counter):
        yield stats
    stats.queries, stats.cpu_seconds = counter.count, time.process_time() - cpu
    db_after = _backend_cpu() if db_before else None
    if db_before and db_after and db_after[0] == db_before[0]:
        stats.db_cpu_seconds = db_after[1] - db_before[1]


def _run(indices: Sequence[int], raws: Sequence[bytes], source: str,
         on_outcome: Callable[[Outcome], None] | None = None,
         measure_db: bool = False) -> RunStats:
    size = batch_size()
    indices = list(indices)
    with _measured(measure_db) as stats:
        for start in range(0, len(indices), size):
            part = indices[start:start + size]
            for index, result in zip(part, receive_batch([raws[i] for i in part], source=source),
                                     strict=True):
                outcome = Outcome(index, result.status, str(result))
                stats.outcomes.append(outcome)
                if on_outcome:
                    on_outcome(outcome)
    return stats


def _worker_started() -> None:
    """A pool worker keeps its database connection for all its portions, and closes it
    when it exits."""
    multiprocessing.util.Finalize(None, connections.close_all, exitpriority=10)


def _worker(indices: list[int]) -> RunStats:
    return _run(indices, _BATCH["raws"], _BATCH["source"], measure_db=_BATCH["measure_db"])


# What every worker builds on its first mails, by template name: the emails the default
# rules send for new tickets and replies (tickets/notifications.py).
_TEMPLATES = [f"tickets/email/{kind}{suffix}" for kind in ("acknowledgement", "customer_reply")
              for suffix in ("_subject.txt", ".txt", ".html")]


def warm_up(raw: bytes) -> None:
    """Build in this process, before the pool forks, what each worker would otherwise build
    alone on its first mails: the libraries imported on first use (the cache's Redis
    client, the SLA calendars' holiday tables, the mail parser's), the per-process copies
    (routing, SLA policies and calendars, team addresses), the email templates and the
    languages' translation catalogs, the SQL of the reads built once per process
    (``helpdesk.prepared``) and what the first task handed to the broker builds
    (``outbox.warm_up``). The forked workers inherit them: with two workers per round of
    ``bench_intake`` a cold start was about a tenth of its CPU (docs/performance.md,
    "Email intake", fourth and fifth rounds). Nothing is written and nothing is sent;
    an error here is logged and left for the workers."""
    from django.template.loader import get_template
    from django.utils import timezone, translation

    from helpdesk import outbox, prepared

    from ..businesstime import add_business_seconds
    from ..models import Channel
    from ..routing import default_team
    from ..services.sla.cache import active_policies, calendar_snapshot, default_calendar_id
    from .content import visible_content
    from .noise import is_own_mail
    from .parse import parse

    try:
        is_own_mail(parsed := parse(raw), check_outbox=False)
        visible_content(parsed)
        default_team(channel=Channel.EMAIL)
        calendars = {default_calendar_id(), *(p.calendar_id for p in active_policies())}
        for calendar_id in calendars - {None}:
            calendar = calendar_snapshot(calendar_id)
            if calendar is not None:
                add_business_seconds(calendar, timezone.now(), 3600)
        for name in _TEMPLATES:
            get_template(name)
        for code, _name in settings.LANGUAGES:
            with translation.override(code):  # loads the language's catalog
                pass
        prepared.build_all()
        outbox.warm_up()
    except Exception:
        logger.warning("warming up before the intake's workers fork failed", exc_info=True)


def _warm_up_measured(raw: bytes, measure_db: bool) -> RunStats:
    with _measured(measure_db) as stats:
        warm_up(raw)
    return stats


def receive_many(raws: Sequence[bytes], *, source: str, jobs: int = 1,
                 on_outcome: Callable[[Outcome], None] | None = None,
                 measure_db: bool = False) -> RunStats:
    """Every message through receive_batch, in input order, a batch of
    ``HELPDESK_INTAKE_BATCH`` at a time; with jobs > 1 in forked worker processes, each
    taking the next portion of whole conversations (``portions``) when it is free.

    ``on_outcome`` is called as each message is done in one process, and in
    input order after the pool has finished with jobs > 1. ``measure_db`` (the
    benchmark) also reads the CPU time of each worker's PostgreSQL backend.
    """
    if jobs <= 1 or len(raws) < 2:
        return _run(range(len(raws)), raws, source, on_outcome, measure_db)
    packed = portions(raws, batch_size())
    _BATCH.update(raws=raws, source=source, measure_db=measure_db)
    warm = _warm_up_measured(raws[0], measure_db)  # counted with the workers' figures
    connections.close_all()  # a forked child must never share the parent's socket
    try:
        with multiprocessing.get_context("fork").Pool(min(jobs, len(packed)),
                                                      initializer=_worker_started) as pool:
            parts = list(pool.imap_unordered(_worker, packed, chunksize=1))
            pool.close()
            pool.join()  # each worker closes its connection as it exits
    finally:
        _BATCH.clear()
    total = RunStats(queries=warm.queries, cpu_seconds=warm.cpu_seconds,
                     db_cpu_seconds=warm.db_cpu_seconds)
    for part in parts:
        total.outcomes += part.outcomes
        total.queries += part.queries
        total.cpu_seconds += part.cpu_seconds
        if part.db_cpu_seconds is not None:
            total.db_cpu_seconds = (total.db_cpu_seconds or 0.0) + part.db_cpu_seconds
    total.outcomes.sort(key=lambda o: o.index)
    if on_outcome:
        for outcome in total.outcomes:
            on_outcome(outcome)
    return total
