"""Outside the team's chat hours (its business calendar) or with nobody available, the
widget says so and the message becomes an email ticket (docs/live-chat.md)."""

import json
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from chat import hours
from chat.models import Chat, TeamChatHours
from tickets.models import BusinessCalendar, CustomHoliday, WorkingInterval

pytestmark = pytest.mark.django_db
HELSINKI = ZoneInfo("Europe/Helsinki")


def _hours(team, *, weekdays=range(5), start=time(9), end=time(17)):
    calendar = BusinessCalendar.objects.create(name="Chat hours", time_zone="Europe/Helsinki",
                                               holiday_country="")
    for day in weekdays:
        WorkingInterval.objects.create(calendar=calendar, weekday=day, start=start, end=end)
    TeamChatHours.objects.create(team=team, calendar=calendar)
    return calendar


def test_chat_hours_follow_the_business_calendar(chat_team):
    calendar = _hours(chat_team)
    monday = datetime(2026, 11, 30, 10, 0, tzinfo=HELSINKI)
    assert hours.in_hours(chat_team, monday)
    assert not hours.in_hours(chat_team, monday.replace(hour=20))  # evening
    assert not hours.in_hours(chat_team, datetime(2026, 11, 29, 10, 0, tzinfo=HELSINKI))  # Sunday
    CustomHoliday.objects.create(calendar=calendar, date=monday.date(), name="Closed")
    assert not hours.in_hours(chat_team, monday)


def test_team_without_chat_hours_chats_whenever_someone_is_available(chat_team, agent):
    assert hours.availability(chat_team) == hours.OPEN


def test_outside_hours_the_widget_says_closed_and_the_message_is_an_email_ticket(
        client, chat_team, agent, mailoutbox, django_capture_on_commit_callbacks):
    _hours(chat_team, weekdays=[])  # never open
    config = client.get("/support/chat/").json()
    assert config["online"] is False and config["offline_reason"] == "closed"
    assert "closed" in config["labels"]["closed"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/support/chat/", data=json.dumps({
            "name": "Kalle", "email": "kalle@example.com", "message": "Late question"}),
            content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["offline"] is True and body["reason"] == "closed"
    chat = Chat.objects.get(ticket__messages__body_text="Late question")
    assert chat.status == Chat.Status.MISSED
    assert len(mailoutbox) == 1 and body["ticket"] in mailoutbox[0].subject  # acknowledged


def test_nobody_available_says_away(client, chat_team):
    config = client.get("/support/chat/").json()
    assert config["online"] is False and config["offline_reason"] == "away"


def test_closed_label_in_finnish(client, chat_team):
    _hours(chat_team, weekdays=[])
    with translation.override("fi"):
        config = client.get("/support/chat/", HTTP_ACCEPT_LANGUAGE="fi").json()
    assert config["labels"]["closed"].startswith("Olemme nyt suljettu")
