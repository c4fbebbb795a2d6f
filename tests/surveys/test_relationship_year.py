"""A simulated year of a quarterly relationship program beside transactional surveys,
with time-machine: nobody is asked twice inside the contact window, and relationship
sends land on working-day mornings in each contact's own time zone."""

import random
import zoneinfo
from datetime import date, datetime, time, timedelta

import time_machine
from django.utils import timezone

from surveys import services as survey_services
from surveys.models import Invitation, Kind, SurveyProgram
from tests.factories import CustomerFactory, OrganizationFactory
from tickets import services

ZONES = ["Europe/Helsinki", "America/New_York", "Asia/Tokyo", ""]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _beat_tick(moment: datetime) -> datetime:
    """The first five-minute beat at or after ``moment``."""
    extra = (-moment.minute) % 5
    return (moment + timedelta(minutes=extra)).replace(second=0, microsecond=0)


def test_a_year_of_waves_and_ticket_surveys_respects_the_budget_and_mornings(
        program, team, django_capture_on_commit_callbacks):
    rng = random.Random(17)
    SurveyProgram.objects.create(
        name="Relationship", kind=Kind.RELATIONSHIP, metric="nps", position=100,
        question_en="Recommend us?", question_fi="Suosittelisitko?", interval_months=3,
        spread_days=5, expiry_days=14)
    orgs = [OrganizationFactory(name=f"Org {i}") for i in range(3)]
    people = [CustomerFactory(organization=orgs[i % 3], time_zone=ZONES[i % 4])
              for i in range(18)]
    closes = {}  # day -> customers whose ticket closes that afternoon
    for _ in range(60):
        day = date(2027, 1, 1) + timedelta(days=rng.randrange(365))
        closes.setdefault(day, []).append(rng.choice(people))

    day = date(2027, 1, 1)
    while day < date(2028, 1, 1):
        with time_machine.travel(_at(day, 6, 5), tick=False), \
                django_capture_on_commit_callbacks(execute=True):
            survey_services.start_due_waves()  # the daily beat task
        for person in closes.get(day, []):
            with time_machine.travel(_at(day, 14), tick=False), \
                    django_capture_on_commit_callbacks(execute=True):
                ticket = services.create_ticket(services.NewTicket(
                    subject="Help", body="x", customer=person, team=team
                ))
                services.solve_ticket(ticket=ticket, actor=None)
            with time_machine.travel(_at(day, 14, 30), tick=False), \
                    django_capture_on_commit_callbacks(execute=True):
                services.close_ticket(ticket=ticket, actor=None)
        # The send beat, every five minutes; jump from one due invitation to the next.
        end = _at(day + timedelta(days=1), 0)
        while (due := Invitation.objects.filter(status=Invitation.Status.SCHEDULED,
                                                send_after__lt=end)
               .order_by("send_after").values_list("send_after", flat=True).first()):
            with time_machine.travel(_beat_tick(due), tick=False), \
                    django_capture_on_commit_callbacks(execute=True):
                survey_services.send_due_invitations()
        day += timedelta(days=1)

    sent = list(Invitation.objects.filter(sent_at__isnull=False)
                .select_related("customer").order_by("customer_id", "sent_at"))
    window = timedelta(days=30)
    by_person: dict[int, list] = {}
    for invitation in sent:
        by_person.setdefault(invitation.customer_id, []).append(invitation)
    # Nobody asked twice inside the window, whatever the kinds.
    for asks in by_person.values():
        for earlier, later in zip(asks, asks[1:], strict=False):
            assert later.sent_at - earlier.sent_at >= window, (earlier, later)
    relationship = [i for i in sent if i.kind == Kind.RELATIONSHIP]
    # Mornings of working days, in the contact's own zone (beat runs every five minutes).
    for invitation in relationship:
        zone = zoneinfo.ZoneInfo(invitation.customer.time_zone or "Europe/Helsinki")
        local = invitation.sent_at.astimezone(zone)
        assert local.weekday() < 5 and time(9) <= local.time() <= time(12, 5), local
    # Four quarterly waves; most contacts answered by each, the rest skipped with a reason.
    assert sorted({i.wave.number for i in Invitation.objects.filter(kind=Kind.RELATIONSHIP)}) == [1, 2, 3, 4]
    assert len(relationship) >= 50
    skipped = Invitation.objects.filter(status=Invitation.Status.SKIPPED)
    assert skipped.exists() and not skipped.filter(skip_reason="").exists()
    assert skipped.filter(skip_reason=Invitation.SkipReason.BUDGET).exists()
    # The sends of a wave are spread over several mornings, not one burst.
    first_wave_days = {i.sent_at.date() for i in relationship if i.wave.number == 1}
    assert len(first_wave_days) >= 5
