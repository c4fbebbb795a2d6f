"""The admin a new team meets: branded, SLA targets in hours and minutes, the holidays a
calendar applies, quarantined mail released with a chosen sender, retries that say how
they went."""

from datetime import date

import pytest
from django.contrib.messages import constants as levels
from django.urls import reverse
from django.utils import timezone, translation

from tickets import intake
from tickets.admin_sla import SLAPolicyForm
from tickets.models import BusinessCalendar, CustomHoliday, InboundEmail, SLAPolicy, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield

#: Query counts of the admin pages this change adds to (constant in the number of rows).
QUERIES = {"calendar": 14, "release": 8}

NO_SENDER = (b"To: support@helpdesk.test\r\nSubject: Invoice 77 is wrong\r\n"
             b"Message-ID: <nosender-1@example.com>\r\n\r\nPlease fix invoice 77.\r\n")


@pytest.fixture
def calendar(db):
    return BusinessCalendar.objects.get_or_create(
        name="Office hours", defaults={"holiday_country": "FI"})[0]


@pytest.mark.parametrize(("language", "header", "index"), [
    ("en", "Helpdesk administration", "Settings and records"),
    ("fi", "Helpdeskin ylläpito", "Asetukset ja tiedot"),
])
def test_admin_is_branded_in_the_users_language(client, admin_user, language, header, index):
    admin_user.language = language
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)
    html = client.get(reverse("admin:index")).content.decode()
    assert header in html and index in html
    assert "Django administration" not in html and "Django-sivuston ylläpito" not in html
    assert "Helpdesk admin" in html or "Helpdeskin hallinta" in html  # the <title>


def _policy_data(calendar, **targets):
    data = {"name": "Gold", "position": 0, "active": "on", "calendar": calendar.pk,
            "warn_at_percent": 75}
    for field, (hours, minutes) in targets.items():
        data[f"{field}_0"], data[f"{field}_1"] = hours, minutes
    return data


def test_sla_targets_are_typed_in_hours_and_minutes(calendar):
    form = SLAPolicyForm(data=_policy_data(calendar, first_response_minutes=("1", "30"),
                                           resolution_minutes=("16", "")))
    assert form.is_valid(), form.errors
    policy = form.save()
    assert (policy.first_response_minutes, policy.next_response_minutes,
            policy.resolution_minutes) == (90, None, 960)
    shown = SLAPolicyForm(instance=policy)
    assert shown["first_response_minutes"].value() == 90
    html = str(shown["resolution_minutes"])
    assert 'name="resolution_minutes_0" value="16"' in html
    assert 'name="resolution_minutes_1" value="0"' in html


@pytest.mark.parametrize(("hours", "minutes", "message"), [
    ("1", "75", "First response target: Minutes must be between 0 and 59."),
    ("-2", "0", "First response target: Hours cannot be negative."),
    ("x", "0", "First response target: Enter whole numbers."),
])
def test_sla_target_errors_name_the_field(calendar, hours, minutes, message):
    form = SLAPolicyForm(data=_policy_data(calendar, first_response_minutes=(hours, minutes)))
    assert not form.is_valid()
    assert message in form.errors["first_response_minutes"]


def test_sla_admin_page_saves_hours_and_minutes(client, admin_user, calendar):
    client.force_login(admin_user)
    data = {**_policy_data(calendar, next_response_minutes=("2", "15")), "teams": []}
    response = client.post(reverse("admin:tickets_slapolicy_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert SLAPolicy.objects.get(name="Gold").next_response_minutes == 135
    response = client.post(reverse("admin:tickets_slapolicy_add"),
                           {**data, "name": "Bad", "next_response_minutes_1": "99"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Next response target: Minutes must be between 0 and 59." in html
    assert 'name="next_response_minutes_1" value="99"' in html  # what was typed stays


def test_calendar_admin_lists_the_holidays_it_applies(client, admin_user, calendar,
                                                      django_assert_max_num_queries):
    year = timezone.localdate().year
    CustomHoliday.objects.create(calendar=calendar, date=date(year + 1, 7, 3),
                                 name="Company summer day")
    client.force_login(admin_user)
    url = reverse("admin:tickets_businesscalendar_change", args=[calendar.pk])
    client.get(url)
    for extra in range(5):  # more extra dates cost no more queries
        CustomHoliday.objects.create(calendar=calendar, date=date(year, 2, 2 + extra))
    with django_assert_max_num_queries(QUERIES["calendar"]):
        html = client.get(url).content.decode()
    assert "Holidays it applies (this year and next)" in html
    for day in (date(year, 12, 6), date(year + 1, 12, 6), date(year + 1, 7, 3)):
        assert f'datetime="{day:%Y-%m-%d}"' in html
    assert "Independence Day" in html and "Company summer day" in html
    assert "this calendar" in html and "public holiday" in html
    admin_user.language = "fi"
    admin_user.save(update_fields=["language"])
    html = client.get(url).content.decode()
    assert "Itsenäisyyspäivä" in html and "Lomapäivät, jotka se ottaa huomioon" in html


def test_calendar_admin_with_an_unknown_country_says_so(client, admin_user, calendar):
    calendar.holiday_country = "ZZ"
    calendar.save(update_fields=["holiday_country"])
    client.force_login(admin_user)
    html = client.get(reverse("admin:tickets_businesscalendar_change",
                              args=[calendar.pk])).content.decode()
    assert "has no country or subdivision with these codes" in html


@pytest.fixture
def no_sender(team):
    result = intake.receive_raw(NO_SENDER, source="file")
    assert (result.status, result.reason) == ("quarantined", "no sender address")
    return result.inbound


def _messages(response):
    return [(m.level, str(m)) for m in response.context["messages"]] if response.context else []


def test_quarantined_mail_is_released_with_a_known_customer(client, admin_user, customer,
                                                             no_sender, mailoutbox,
                                                             django_assert_max_num_queries):
    client.force_login(admin_user)
    url = reverse("admin:tickets_inboundemail_release", args=[no_sender.pk])
    change = client.get(reverse("admin:tickets_inboundemail_change", args=[no_sender.pk]))
    assert url in change.content.decode()
    with django_assert_max_num_queries(QUERIES["release"]):
        page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, {"customer": "", "email": customer.email, "name": ""},
                           follow=True)
    no_sender.refresh_from_db()
    assert no_sender.status == InboundEmail.Status.CREATED
    ticket = no_sender.ticket
    assert (ticket.customer, ticket.subject, ticket.channel) == (customer, "Invoice 77 is wrong",
                                                                 "email")
    assert ticket.team is not None
    assert (levels.SUCCESS, f"“Invoice 77 is wrong”: Created a ticket ({ticket.reference})") \
        in _messages(response)


def test_release_offers_customers_named_in_the_message(client, admin_user, customer):
    raw = NO_SENDER.replace(b"Please fix", b"Reply-To-ish: customer@example.com\r\nPlease fix")
    inbound = intake.receive_raw(raw.replace(b"nosender-1", b"nosender-2"), source="file").inbound
    client.force_login(admin_user)
    url = reverse("admin:tickets_inboundemail_release", args=[inbound.pk])
    assert f'<option value="{customer.pk}">' in client.get(url).content.decode()
    client.post(url, {"customer": customer.pk, "name": "Kalle"})
    inbound.refresh_from_db()
    assert inbound.ticket.customer == customer


def test_release_form_errors_name_the_field(client, admin_user, no_sender):
    client.force_login(admin_user)
    url = reverse("admin:tickets_inboundemail_release", args=[no_sender.pk])
    response = client.post(url, {"email": "", "name": "Nobody"})
    assert response.status_code == 400
    assert "Choose a known customer or type the sender" in response.content.decode()
    assert 'value="Nobody"' in response.content.decode()
    response = client.post(url, {"email": "not-an-address"})
    assert response.status_code == 400
    assert Ticket.objects.count() == 0


def test_release_is_refused_to_an_agent(client, agent, no_sender):
    client.force_login(agent)
    url = reverse("admin:tickets_inboundemail_release", args=[no_sender.pk])
    assert client.post(url, {"email": "x@example.com"}).status_code == 302  # admin login
    no_sender.refresh_from_db()
    assert no_sender.status == InboundEmail.Status.QUARANTINED


def test_retry_that_fails_again_is_an_error_naming_the_reason(client, admin_user, no_sender):
    client.force_login(admin_user)
    response = client.post(reverse("admin:tickets_inboundemail_changelist"),
                           {"action": "retry_selected", "_selected_action": [no_sender.pk]},
                           follow=True)
    assert (levels.ERROR, "“Invoice 77 is wrong” failed again: no sender address") \
        in _messages(response)
    no_sender.refresh_from_db()
    assert (no_sender.status, no_sender.attempts) == (InboundEmail.Status.QUARANTINED, 2)


def test_retry_that_works_is_a_success(client, admin_user, team, monkeypatch):
    from tickets.intake import receive as receive_module

    original = receive_module.parse
    monkeypatch.setattr(receive_module, "parse", lambda raw: 1 / 0)
    raw = NO_SENDER.replace(b"To:", b"From: anna@example.com\r\nTo:")
    inbound = intake.receive_raw(raw, source="file").inbound
    assert inbound.status == InboundEmail.Status.QUARANTINED
    monkeypatch.setattr(receive_module, "parse", original)
    client.force_login(admin_user)
    response = client.post(reverse("admin:tickets_inboundemail_changelist"),
                           {"action": "retry_selected", "_selected_action": [inbound.pk]},
                           follow=True)
    inbound.refresh_from_db()
    assert (levels.SUCCESS, f"“Invoice 77 is wrong”: Created a ticket "
                            f"({inbound.ticket.reference})") in _messages(response)
