"""Relationship waves: who is asked, and when (docs/relationship-surveys.md).

A wave of a relationship program asks every contact of its audience once, spread over
working-day mornings (09:00–12:00) in each contact's own time zone and over enough
working days that no day exceeds its share of the daily send cap. Scheduling writes
Invitation rows in batches, each batch its own short transaction, and is idempotent
(one invitation per wave and contact), so an interrupted run is simply run again.
"""

from __future__ import annotations

import math
import zoneinfo
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.models import Customer

from ..models import Invitation, Kind, ProgramContact, RelationshipWave, SurveyProgram
from .budget import contact_window, last_asked

SkipReason = Invitation.SkipReason
BATCH = 5000
MORNING_START, MORNING_MINUTES = time(9, 0), 180
# Relationship waves leave a fifth of each day's cap to transactional surveys.
RELATIONSHIP_CAP_SHARE = 0.8


def audience(program: SurveyProgram, *, today: date) -> QuerySet[Customer]:
    """The contacts a wave of ``program`` asks: of active organizations (all, or those
    of the chosen tiers), or the program's imported list."""
    if program.audience == SurveyProgram.Audience.LIST:
        return Customer.objects.filter(
            pk__in=ProgramContact.objects.filter(program=program).values("customer_id"))
    active = Q(organization__isnull=False) & (Q(organization__churned_at__isnull=True)
                                              | Q(organization__churned_at__gt=today))
    customers = Customer.objects.filter(active)
    if program.audience == SurveyProgram.Audience.TIER:
        customers = customers.filter(organization__tier__in=program.tiers or [])
    return customers


def working_days(start: date, count: int) -> list[date]:
    days: list[date] = []
    day = start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def morning_send_time(*, day: date, customer_id: int, time_zone: str) -> datetime:
    """A moment of that day's morning in the contact's zone, spread by their id."""
    minute = (customer_id * 7919) % MORNING_MINUTES  # a fixed spread, the same on reruns
    local = datetime.combine(day, MORNING_START) + timedelta(minutes=minute)
    return local.replace(tzinfo=zone_of(time_zone))


def next_wave_number(program: SurveyProgram) -> int:
    return (program.waves.aggregate(n=Max("number"))["n"] or 0) + 1


def validate_program(program: SurveyProgram) -> None:
    """A relationship program must ask less often than the contact budget allows."""
    if program.kind != Kind.RELATIONSHIP:
        return
    if program.interval_months * 30 < settings.HELPDESK_CONTACT_WINDOW_DAYS:
        raise ValidationError({"interval_months": _(
            "Every %(months)d months is more often than the contact window of %(days)d days "
            "allows: nobody could be asked every time.") % {
                "months": program.interval_months,
                "days": settings.HELPDESK_CONTACT_WINDOW_DAYS}})


def first_working_day(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@transaction.atomic
def start_wave(*, program: SurveyProgram, starts_on: date | None = None,
               now: datetime | None = None) -> RelationshipWave:
    """Create the program's next wave. The days it covers are fixed when scheduling."""
    now = now or timezone.now()
    if program.kind != Kind.RELATIONSHIP:
        raise ValidationError({"program": _("Only relationship programs send waves.")})
    validate_program(program)
    # From tomorrow: today's mornings may be over in some of the contacts' zones.
    starts_on = first_working_day(starts_on or timezone.localdate(now) + timedelta(days=1))
    return RelationshipWave.objects.create(
        program=program, number=next_wave_number(program), starts_on=starts_on,
        ends_on=starts_on, created_at=now)


def _days_for(wave: RelationshipWave, total: int) -> list[date]:
    per_day = max(1, int(settings.HELPDESK_SURVEY_DAILY_CAP * RELATIONSHIP_CAP_SHARE))
    count = max(wave.program.spread_days, math.ceil(total / per_day), 1)
    return working_days(wave.starts_on, count)


def schedule_wave(*, wave: RelationshipWave, now: datetime | None = None,
                  batch_size: int = BATCH) -> tuple[int, int]:
    """Write the wave's invitations (scheduled, or skipped with the reason); returns the
    wave's (scheduled, skipped). Keyset batches of contacts, one transaction each; rows
    an earlier, interrupted run wrote are kept (one invitation per wave and contact).

    Per batch: one read of the contacts, one grouped read per budget source (the
    invitations by a customer id range, not a list of thousands of ids) and one write
    (see ``write_batch``); the send times and skip reasons are computed in Python."""
    now = now or timezone.now()
    program = wave.program
    contacts = audience(program, today=timezone.localdate(now)).order_by("pk")
    days = _days_for(wave, contacts.count())
    # Anyone asked after this moment is inside the window of every send of the wave.
    since = (datetime.combine(days[0], time.min, tzinfo=zone_of("UTC")) - timedelta(days=1)
             - contact_window())
    columns = ("pk", "email", "language", "time_zone", "survey_opt_out", "bounced")
    last_pk, index = 0, 0
    while True:
        rows = list(contacts.filter(pk__gt=last_pk).values_list(*columns)[:batch_size])
        if not rows:
            break
        last_pk = rows[-1][0]
        asked = last_asked([row[0] for row in rows], since)
        batch = []
        for pk, email, language, zone, opted_out, bounced in rows:
            send_at = morning_send_time(day=days[index % len(days)], customer_id=pk,
                                        time_zone=zone)
            index += 1
            batch.append((pk, send_at, language,
                          _skip(email, opted_out, bounced, asked.get(pk), send_at)))
        with transaction.atomic():  # one batch, one short transaction
            write_batch(wave=wave, rows=batch, now=now)
    _finish(wave, days, now)
    return wave.scheduled, wave.skipped


def write_batch(*, wave: RelationshipWave, rows: list[tuple[int, datetime, str, str]],
                now: datetime) -> None:
    """Insert one batch of (customer id, send time, language, skip reason), keeping what
    the wave already has. On PostgreSQL one INSERT … SELECT over four comma-joined text
    parameters, whatever the batch size (15 placeholders a row, or arrays of datetimes,
    cost more to build and parse than the insert itself); elsewhere bulk_create."""
    program = wave.program
    if connection.vendor != "postgresql":
        Invitation.objects.bulk_create([
            Invitation(program=program, kind=Kind.RELATIONSHIP, wave=wave, customer_id=pk,
                       metric=program.metric, language=language, send_after=send_at,
                       created_at=now, skip_reason=reason,
                       status=Invitation.Status.SKIPPED if reason else Invitation.Status.SCHEDULED)
            for pk, send_at, language, reason in rows], ignore_conflicts=True, batch_size=1000)
        return
    with connection.cursor() as cursor:
        # The wave is idempotent and its counters are written last with a synchronous
        # commit, which flushes every earlier WAL record: a batch can only be lost together
        # with the wave's finish, and the run is then simply repeated.
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(_INSERT_TEXT, {
            "program": program.pk, "kind": Kind.RELATIONSHIP, "wave": wave.pk,
            "metric": program.metric, "created": now, "scheduled": Invitation.Status.SCHEDULED,
            "skipped": Invitation.Status.SKIPPED,
            "customers": ",".join(str(row[0]) for row in rows),
            "send_after": ",".join(str(int(row[1].timestamp())) for row in rows),
            "languages": ",".join("=" + row[2] for row in rows),
            "reasons": ",".join("=" + row[3] for row in rows)})


# Languages and skip reasons are codes (no commas), each prefixed with "=" because
# string_to_array('') is an empty array, not one empty string. ON CONFLICT DO NOTHING
# meets one_invitation_per_wave: a resumed run keeps the rows it wrote before.
_INSERT_TEXT = """
INSERT INTO surveys_invitation
    (program_id, kind, wave_id, customer_id, metric, status, skip_reason, send_after,
     language, created_at)
SELECT %(program)s, %(kind)s, %(wave)s, contact.customer_id, %(metric)s,
       CASE WHEN contact.reason = '=' THEN %(scheduled)s ELSE %(skipped)s END,
       substr(contact.reason, 2), to_timestamp(contact.send_after),
       substr(contact.language, 2), %(created)s
FROM unnest(string_to_array(%(customers)s, ',')::bigint[],
            string_to_array(%(send_after)s, ',')::bigint[],
            string_to_array(%(languages)s, ','),
            string_to_array(%(reasons)s, ','))
     AS contact(customer_id, send_after, language, reason)
ON CONFLICT DO NOTHING
"""


def _skip(email: str, opted_out: bool, bounced: bool, asked_at: datetime | None,
          send_at: datetime) -> str:
    if not (email or "").strip():
        return SkipReason.NO_EMAIL
    if opted_out:
        return SkipReason.OPTED_OUT
    if bounced:
        return SkipReason.BOUNCED
    if asked_at is not None and asked_at > send_at - contact_window():
        return SkipReason.BUDGET
    return ""


def _finish(wave: RelationshipWave, days: list[date], now: datetime) -> None:
    """The wave's counters from its rows (exact also after a resumed run)."""
    skipped = Q(status=Invitation.Status.SKIPPED)
    counts = Invitation.objects.filter(wave=wave).aggregate(
        scheduled=Count("pk", filter=~skipped), skipped=Count("pk", filter=skipped))
    wave.scheduled, wave.skipped = counts["scheduled"], counts["skipped"]
    wave.ends_on, wave.finished_at = days[-1], now
    wave.save(update_fields=["scheduled", "skipped", "ends_on", "finished_at"])


def due_programs(now: datetime) -> list[SurveyProgram]:
    """Active relationship programs whose last wave began ``interval_months`` ago or more."""
    today = timezone.localdate(now)
    due = []
    for program in SurveyProgram.objects.filter(active=True, kind=Kind.RELATIONSHIP):
        last = program.waves.order_by("-number").first()
        if last is None or _add_months(last.starts_on, program.interval_months) <= today:
            due.append(program)
    return due


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def start_due_waves(*, now: datetime | None = None) -> list[RelationshipWave]:
    """The beat task's work: start and schedule each due program's next wave."""
    now = now or timezone.now()
    waves = []
    for program in due_programs(now):
        wave = start_wave(program=program, now=now)
        schedule_wave(wave=wave, now=now)
        waves.append(wave)
    return waves
