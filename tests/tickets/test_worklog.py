"""Time tracking: durations as typed, the server-side timer, entries, the report."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.conftest import api_client_for
from tickets.models import TimeEntry
from tickets.services import worklog

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.parametrize(("text", "seconds"), [
    ("45", 2700), ("1:30", 5400), ("1h 30m", 5400), ("1,5h", 5400), ("2h", 7200),
    ("90 min", 5400), ("0,5", 30), ("24h", 86400)])
def test_durations_as_agents_type_them(text, seconds):
    assert worklog.parse_duration(text) == seconds


@pytest.mark.parametrize(("text", "words"), [
    ("", "Enter how long"), ("-10", "negative"), ("0", "more than zero"),
    ("25h", "At most 24 hours"), ("1441", "At most 24 hours"), ("soon", "Write minutes")])
def test_bad_durations_name_the_field(text, words):
    with pytest.raises(ValidationError) as exc:
        worklog.parse_duration(text)
    assert words in exc.value.message_dict["duration"][0]


def test_a_timer_survives_until_stopped_and_counts_the_time(ticket, agent):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        entry = worklog.start_timer(ticket=ticket, agent=agent)
    assert worklog.start_timer(ticket=ticket, agent=agent).pk == entry.pk  # one per agent
    stopped = worklog.stop_timer(ticket=ticket, agent=agent, note="Debugged",
                                 now=start + timedelta(minutes=25))
    assert (stopped.seconds, stopped.note, stopped.is_timer) == (1500, "Debugged", True)
    assert worklog.stop_timer(ticket=ticket, agent=agent) is None  # a second stop: nothing


def test_a_timer_forgotten_overnight_stops_at_24_hours(ticket, agent):
    entry = worklog.start_timer(ticket=ticket, agent=agent)
    stopped = worklog.stop_timer(ticket=ticket, agent=agent,
                                 now=entry.worked_at + timedelta(hours=30))
    assert stopped.seconds == 86400 and "24" in stopped.note


def test_agents_time_is_their_own(ticket, agent, team_lead):
    worklog.start_timer(ticket=ticket, agent=agent)
    assert worklog.running_timer(ticket=ticket, agent=team_lead) is None


def test_an_agent_of_another_team_cannot_log_time(ticket, other_agent):
    with pytest.raises(PermissionDenied):
        worklog.log_time(ticket=ticket, agent=other_agent, seconds=60)


def test_only_the_author_or_a_manager_deletes_an_entry(ticket, agent, team_lead, manager):
    entry = worklog.log_time(ticket=ticket, agent=agent, seconds=60)
    with pytest.raises(PermissionDenied):
        worklog.delete_entry(entry=entry, actor=team_lead)
    worklog.delete_entry(entry=entry, actor=manager)
    assert not TimeEntry.objects.exists()


# -- the ticket page ----------------------------------------------------------------------

def test_the_page_shows_the_total_and_a_running_timer_after_reload(client, agent, ticket):
    client.force_login(agent)
    worklog.log_time(ticket=ticket, agent=agent, seconds=3900)
    client.post(reverse("tickets:time_timer", args=[ticket.pk]), {"action": "start"})
    html = client.get(reverse("tickets:context", args=[ticket.pk])).content.decode()
    assert "1 h 05 min" in html and "data-timer-start" in html and "Stop timer" in html


def test_logging_by_hand_on_the_page(client, agent, ticket):
    client.force_login(agent)
    response = client.post(reverse("tickets:time_log", args=[ticket.pk]),
                           {"duration": "1h 30m", "note": "Call"}, **HTMX)
    assert response.status_code == 200 and "1 h 30 min" in response.content.decode()
    assert TimeEntry.objects.get().seconds == 5400


def test_an_absurd_duration_is_named_and_what_was_typed_stays(client, agent, ticket):
    client.force_login(agent)
    response = client.post(reverse("tickets:time_log", args=[ticket.pk]),
                           {"duration": "30h", "note": "Long night"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 400 and "At most 24 hours" in html
    assert 'value="30h"' in html and 'value="Long night"' in html
    assert not TimeEntry.objects.exists()


def test_the_finnish_page_shows_finnish_durations(client, agent, ticket):
    agent.language = "fi"
    agent.save()
    worklog.log_time(ticket=ticket, agent=agent, seconds=3900)
    client.force_login(agent)
    html = client.get(reverse("tickets:context", args=[ticket.pk]),
                      HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "1 t 05 min" in html and "Käynnistä ajastin" in html


# -- the API ------------------------------------------------------------------------------

def test_the_api_logs_lists_and_deletes_entries(api, ticket):
    response = api.post(f"/api/v1/tickets/{ticket.pk}/time/", {"minutes": 20, "note": "x"},
                        format="json")
    assert response.status_code == 201 and response.json()["seconds"] == 1200
    assert [e["seconds"] for e in api.get(f"/api/v1/tickets/{ticket.pk}/time/").json()] == [1200]
    assert api.delete(f"/api/v1/time-entries/{response.json()['id']}/").status_code == 204


@pytest.mark.parametrize("minutes", [-5, 0, 1441, "many", 1e300])
def test_the_api_names_a_bad_duration(api, ticket, minutes):
    response = api.post(f"/api/v1/tickets/{ticket.pk}/time/", {"minutes": minutes},
                        format="json")
    assert response.status_code == 400 and "minutes" in response.json()


def test_the_api_timer(api, ticket):
    started = api.post(f"/api/v1/tickets/{ticket.pk}/time/timer/", {"action": "start"},
                       format="json").json()
    assert started["running"] is True
    stopped = api.post(f"/api/v1/tickets/{ticket.pk}/time/timer/", {"action": "stop"},
                       format="json")
    assert stopped.status_code == 200 and stopped.json()["running"] is False
    again = api.post(f"/api/v1/tickets/{ticket.pk}/time/timer/", {"action": "stop"},
                     format="json")
    assert again.status_code == 400 and "action" in again.json()


# -- the report ---------------------------------------------------------------------------

def test_the_report_sums_per_agent_team_channel_and_field(client, manager, agent, team_lead,
                                                          ticket):
    from tests.tickets.custom_field_fixtures import PRODUCT_OPTIONS
    from tickets.models import CustomField
    from tickets.services import apply_ticket_changes

    field = CustomField.objects.create(key="product", type="dropdown", label_en="Product",
                                       label_fi="Tuote", options=PRODUCT_OPTIONS)
    apply_ticket_changes(ticket=ticket, changes={"fields": {"product": "printer"}}, actor=None,
                         source="test")
    worklog.log_time(ticket=ticket, agent=agent, seconds=3600)
    worklog.log_time(ticket=ticket, agent=agent, seconds=1800)
    worklog.log_time(ticket=ticket, agent=team_lead, seconds=600)
    client.force_login(manager)
    url = reverse("tickets:time_report")
    html = client.get(url).content.decode()
    assert "Aino Agent" in html and "1 h 30 min" in html and "Lea Lead" in html
    assert "Support" in client.get(url, {"by": "team"}).content.decode()
    assert "Email" in client.get(url, {"by": "channel"}).content.decode()
    by_field = client.get(url, {"by": "field", "field": field.key}).content.decode()
    assert "Printer" in by_field and "1 h 40 min" in by_field
    csv = client.get(url, {"by": "agent", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0] == "Agent,Hours,Entries,Tickets" and lines[1] == "Aino Agent,1.50,2,1"


def test_the_report_names_a_bad_date_and_keeps_it(client, manager):
    client.force_login(manager)
    response = client.get(reverse("tickets:time_report"), {"from": "2026-13-01"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "YYYY-MM-DD" in html and 'value="2026-13-01"' in html


@pytest.mark.parametrize(("persona", "status"), [
    ("agent", 403), ("team_lead", 403), ("manager", 200), ("admin_user", 200)])
def test_only_managers_see_the_report(client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("tickets:time_report")).status_code == status


def test_the_report_is_one_query_whatever_the_number_of_rows(client, manager, agent, ticket,
                                                              django_assert_max_num_queries):
    client.force_login(manager)
    worklog.log_time(ticket=ticket, agent=agent, seconds=60)
    with django_assert_max_num_queries(8) as first:
        client.get(reverse("tickets:time_report"))
    from tests.factories import UserFactory

    for n in range(5):
        worklog.log_time(ticket=ticket, agent=UserFactory(role="manager"), seconds=60 + n)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("tickets:time_report"))


def test_time_api_other_team_is_404(ticket, other_agent):
    assert api_client_for(other_agent).get(
        f"/api/v1/tickets/{ticket.pk}/time/").status_code == 404


from .custom_field_fixtures import english_messages  # noqa: E402,F401  (English messages)
