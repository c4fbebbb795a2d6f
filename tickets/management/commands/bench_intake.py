"""python manage.py bench_intake --messages 2000 [--jobs N] [--reset] — intake throughput.

Generates realistic raw mail (new tickets in English and Finnish, plain and HTML,
RFC 2047 names, a few attachments and inline images, replies threaded by
In-Reply-To / References, replies to our acknowledgement, replies naming [HD-n]
only, auto-replies) and reads it through ``receive_many`` (batches of
``HELPDESK_INTAKE_BATCH`` through ``receive_batch``, each one transaction) as
``ingest_email --jobs`` does. Round 1 holds everything that can be written before intake;
round 2 the replies that need ticket numbers and acknowledgement ids from round 1.
Both rounds are timed; generating and the lookups between them are not.

Outgoing email is queued to the broker as in production (never sent from here):
the benchmark measures intake, not the mail server. Run it on a database of its own.
"""

from __future__ import annotations

import random
import tempfile
import time
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from helpdesk.models import OutboundEmail
from tickets.intake.parallel import receive_many
from tickets.models import InboundEmail, Message, Organization, OrganizationDomain

FIRST = ["Anna", "Matti", "Liisa", "Jussi", "Sara", "Pekka", "Émilie", "Jörg", "Aino", "Tom"]
LAST = ["Virtanen", "Korhonen", "Mäkinen", "Smith", "Nieminen", "Müller", "Laine", "Brown"]
TOPICS_EN = ["Cannot log in", "Invoice is wrong", "Order not delivered", "Password reset fails",
             "Export to CSV is broken", "Question about my subscription", "App crashes on start"]
TOPICS_FI = ["En pääse kirjautumaan", "Laskussa on virhe", "Tilaus ei ole saapunut",
             "Salasanan vaihto ei toimi", "Kysymys tilauksesta"]
BODY_EN = ("Hello,\n\nI have a problem with {topic}. It started yesterday after the update and "
           "happens every time I try again. Could you please have a look?\n\nOrder number {n}.\n\n"
           "Thanks,\n{name}\n-- \n{name}\nExample Ltd\n+358 40 123 4567\n")
BODY_FI = ("Hei,\n\nminulla on ongelma: {topic}. Ongelma alkoi eilen päivityksen jälkeen. "
           "Voitteko tarkistaa asian?\n\nTilausnumero {n}.\n\nKiitos,\n{name}\n")
REPLY = ("Thanks, here is more detail: the error code is E{n}. I tried again today.\n\n"
         "On Mon, 2 Jun 2025 at 10.00, Support <support@example.com> wrote:\n> {quote}\n> \n"
         "> Best regards\n")


class Generator:
    """Deterministic raw mail for one run; ``run`` keeps Message-IDs unique across runs."""

    def __init__(self, *, seed: int, run: str, customers: int) -> None:
        self.rng, self.run, self.serial = random.Random(seed), run, 0
        self.customers = [
            (formataddr((f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}",
                         f"c{k}.{run}@{f'org{k % 20}.example' if k % 3 else 'mail.example'}")),
             k % 4 == 0)
            for k in range(customers)
        ]

    def _base(self, sender: str, subject: str) -> EmailMessage:
        self.serial += 1
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = settings.DEFAULT_FROM_EMAIL
        msg["Subject"] = subject
        msg["Date"] = format_datetime(timezone.now())
        msg["Message-ID"] = f"<b{self.serial}.{self.run}@mail.example>"
        return msg

    def new_ticket(self) -> tuple[bytes, str, str]:
        sender, finnish = self.rng.choice(self.customers)
        topic = self.rng.choice(TOPICS_FI if finnish else TOPICS_EN)
        name = sender.split("<")[0].strip().strip('"')
        body = (BODY_FI if finnish else BODY_EN).format(topic=topic.lower(), n=self.serial,
                                                         name=name)
        msg = self._base(sender, topic)
        msg.set_content(body)
        if self.rng.random() < 0.4:
            paragraphs = "".join(f"<p>{line}</p>" for line in body.split("\n\n"))
            msg.add_alternative(f"<html><body>{paragraphs}</body></html>", subtype="html")
        if self.rng.random() < 0.05:
            data = bytes(self.rng.getrandbits(8) for _ in range(20_000))
            msg.add_attachment(data, maintype="application", subtype="pdf",
                               filename="invoice.pdf")
            if self.rng.random() < 0.5:
                msg.add_attachment(b"\x89PNG\r\n\x1a\n" + data[:3000], maintype="image",
                                   subtype="png", filename="screenshot.png")
        return msg.as_bytes(), msg["Message-ID"], sender

    def reply(self, sender: str, subject: str, parents: list[str], *, auto: bool = False) -> bytes:
        msg = self._base(sender, f"{'Automatic reply' if auto else 'Re'}: {subject}")
        if parents:
            msg["In-Reply-To"] = parents[-1]
            msg["References"] = " ".join(parents)
        if auto:
            msg["Auto-Submitted"] = "auto-replied"
            msg.set_content("I am out of the office until Monday.\n")
        else:
            msg.set_content(REPLY.format(n=self.serial, quote=subject))
        return msg.as_bytes()

    def round_one(self, count: int) -> tuple[list[bytes], list[tuple[str, str, str]]]:
        """New tickets (~80 %), replies by In-Reply-To (~15 %), auto-replies (~3 %)."""
        raws, roots = [], []
        while len(raws) < count:
            roll = self.rng.random()
            if roots and roll < 0.15:
                msgid, sender, subject = self.rng.choice(roots)
                raws.append(self.reply(sender, subject, [msgid]))
            elif roots and roll < 0.18:
                msgid, sender, subject = self.rng.choice(roots)
                raws.append(self.reply(sender, subject, [msgid] if roll < 0.165 else [],
                                       auto=True))
            else:
                raw, msgid, sender = self.new_ticket()
                raws.append(raw)
                roots.append((msgid, sender, raw.split(b"Subject: ")[1].split(b"\n")[0]
                              .decode().strip()))
        return raws, roots

    def round_two(self, count: int, roots: list[tuple[str, str, str]]) -> list[bytes]:
        """Replies to our acknowledgement (In-Reply-To its id) and by [HD-n] in the subject."""
        ids = [r[0] for r in roots]
        tickets = dict(Message.objects.filter(email_message_id__in=ids)
                       .values_list("email_message_id", "ticket_id"))
        acks = dict(OutboundEmail.objects.filter(kind="acknowledgement",
                                                 ticket_id__in=tickets.values())
                    .values_list("ticket_id", "message_id"))
        threads = [(r, tickets[r[0]]) for r in roots if r[0] in tickets]
        raws = []
        for _ in range(count):
            (msgid, sender, subject), ticket_id = self.rng.choice(threads)
            tagged = f"[{settings.HELPDESK_TICKET_PREFIX}-{ticket_id}] {subject}"
            if ticket_id in acks and self.rng.random() < 0.5:
                raws.append(self.reply(sender, tagged, [msgid, acks[ticket_id]]))
            else:
                raws.append(self.reply(sender, tagged, []))
        return raws


_RESET_TABLES = ["tickets_inboundemail", "tickets_attachment", "tickets_ticketevent",
                 "tickets_ticketsla", "helpdesk_outboundemail", "tickets_message",
                 "tickets_ticket", "tickets_customer"]


class Command(BaseCommand):
    help = "Measures email intake throughput on generated mail (use a database of its own)."

    def add_arguments(self, parser):
        parser.add_argument("--messages", type=int, default=2000)
        parser.add_argument("--jobs", type=int, default=1)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--reset", action="store_true",
                            help="empty the ticket and intake tables first (TRUNCATE)")
        parser.add_argument("--profile", metavar="FILE",
                            help="write a cProfile of round 1 (single process only)")

    def handle(self, *args, **options):
        total, jobs = options["messages"], options["jobs"]
        if total < 10:
            raise CommandError("--messages must be at least 10")
        self._configure()
        if options["reset"]:
            if connection.vendor != "postgresql":
                raise CommandError("--reset needs PostgreSQL")
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {', '.join(_RESET_TABLES)} RESTART IDENTITY CASCADE")
        self._organizations()
        gen = Generator(seed=options["seed"], run=f"{time.time_ns():x}",
                        customers=max(20, total // 4))
        first, roots = gen.round_one(round(total * 0.82))
        stats = [self._timed(first, jobs, options["profile"])]
        second = gen.round_two(total - len(first), roots)
        stats.append(self._timed(second, jobs, None))
        self._report(stats, jobs)

    def _configure(self) -> None:
        from helpdesk.celery import app

        # Production queues outgoing mail to a broker and a worker sends it; the
        # in-memory broker keeps that cost here without sending anything.
        app.conf.task_always_eager = False
        if not getattr(settings, "REDIS_URL", ""):
            app.conf.broker_url = "memory://"
        settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-intake-")

    def _organizations(self) -> None:
        for k in range(20):
            org, _ = Organization.objects.get_or_create(
                name=f"Bench org {k}", defaults={"tier": Organization.Tier.values[k % 3]})
            OrganizationDomain.objects.get_or_create(domain=f"org{k}.example",
                                                     defaults={"organization": org})

    def _timed(self, raws: list[bytes], jobs: int, profile: str | None) -> dict:
        started = time.perf_counter()
        if profile and jobs <= 1:
            import cProfile

            profiler = cProfile.Profile(time.process_time)  # CPU, not DB waits
            stats = profiler.runcall(receive_many, raws, source=InboundEmail.Source.FILE,
                                     measure_db=True)
            profiler.dump_stats(profile)
        else:
            stats = receive_many(raws, source=InboundEmail.Source.FILE, jobs=jobs,
                                 measure_db=True)
        elapsed = time.perf_counter() - started
        counts: dict[str, int] = {}
        for outcome in stats.outcomes:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        return {"n": len(raws), "seconds": elapsed, "queries": stats.queries,
                "cpu": stats.cpu_seconds, "db_cpu": stats.db_cpu_seconds, "counts": counts}

    @staticmethod
    def _db_cpu_line(rounds: list[dict], n: int) -> str:
        if any(r["db_cpu"] is None for r in rounds):
            return "database CPU ms/message: not measured (needs PostgreSQL on this host)"
        app = 1000 * sum(r["cpu"] for r in rounds) / n
        db = 1000 * sum(r["db_cpu"] for r in rounds) / n
        return (f"database CPU ms/message: {db:.2f} (its backends)   "
                f"intake + database: {app + db:.2f} ms")

    def _report(self, rounds: list[dict], jobs: int) -> None:
        n = sum(r["n"] for r in rounds)
        seconds = sum(r["seconds"] for r in rounds)
        counts: dict[str, int] = {}
        for r in rounds:
            for status, k in r["counts"].items():
                counts[status] = counts.get(status, 0) + k
        with open("/proc/loadavg") as handle:
            load = handle.read().split()[:3]
        lines = [
            f"messages: {n} ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})",
            f"jobs: {jobs}   database: {connection.vendor} {connection.settings_dict['NAME']}",
            f"elapsed: {seconds:.2f} s   throughput: {n / seconds:.1f} messages/s",
            f"wall ms/message: {1000 * seconds / n:.2f}   "
            f"intake CPU ms/message: {1000 * sum(r['cpu'] for r in rounds) / n:.2f}",
            f"queries/message: {sum(r['queries'] for r in rounds) / n:.1f}",
            self._db_cpu_line(rounds, n),
            f"load average (1, 5, 15 min): {' '.join(load)}",
        ]
        for r in rounds:
            lines.append(f"  round of {r['n']}: {r['n'] / r['seconds']:.1f} messages/s, "
                         f"{r['queries'] / r['n']:.1f} queries/message")
        self.stdout.write("\n".join(lines))
