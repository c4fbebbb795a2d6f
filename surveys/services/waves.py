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
from django.db import transaction
from django.db.models import Max, Q, QuerySet
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
    an earlier, interrupted run wrote are kept (one invitation per wave and contact)."""
    now = now or timezone.now()
    program = wave.program
    contacts = audience(program, today=timezone.localdate(now)).order_by("pk")
    days = _days_for(wave, contacts.count())
    columns = ("pk", "email", "language", "time_zone", "survey_opt_out", "bounced")
    last_pk, index = 0, 0
    while True:
        rows = list(contacts.filter(pk__gt=last_pk).values_list(*columns)[:batch_size])
        if not rows:
            break
        last_pk = rows[-1][0]
        earliest = datetime.combine(days[0], time.min, tzinfo=zone_of("UTC")) - timedelta(days=1)
        asked = last_asked([row[0] for row in rows], earliest - contact_window())
        invitations = []
        for pk, email, language, zone, opted_out, bounced in rows:
            send_at = morning_send_time(day=days[index % len(days)], customer_id=pk,
                                        time_zone=zone)
            index += 1
            reason = _skip(email, opted_out, bounced, asked.get(pk), send_at)
            invitations.append(Invitation(
                program=program, kind=Kind.RELATIONSHIP, wave=wave, customer_id=pk,
                metric=program.metric, language=language, send_after=send_at, created_at=now,
                status=Invitation.Status.SKIPPED if reason else Invitation.Status.SCHEDULED,
                skip_reason=reason))
        with transaction.atomic():  # one batch, one short transaction
            Invitation.objects.bulk_create(invitations, ignore_conflicts=True, batch_size=batch_size)
    _finish(wave, days, now)
    return wave.scheduled, wave.skipped


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
    invitations = Invitation.objects.filter(wave=wave)
    wave.scheduled = invitations.exclude(status=Invitation.Status.SKIPPED).count()
    wave.skipped = invitations.filter(status=Invitation.Status.SKIPPED).count()
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
