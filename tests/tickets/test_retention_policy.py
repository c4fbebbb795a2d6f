"""Retention periods set by admins (tickets.RetentionPolicy; docs/privacy.md): stored
values override the environment, empty falls back to it, 0 keeps forever; the Django admin
and ``/api/v1/privacy/retention/`` are for admins only; changes are audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import Action, AuditEntry
from tests.conftest import api_client_for
from tests.factories import MessageFactory, TicketFactory
from tickets import privacy, tasks
from tickets.models import InboundEmail, RetentionPolicy

pytestmark = pytest.mark.django_db

URL = "/api/v1/privacy/retention/"
ADMIN_URL = "/admin/tickets/retentionpolicy/"


@pytest.fixture
def env(settings):
    settings.HELPDESK_RETENTION_CLOSED_MONTHS = 12
    settings.HELPDESK_RETENTION_QUARANTINE_DAYS = 60
    return settings


def test_stored_values_override_the_environment(env, django_assert_num_queries):
    RetentionPolicy.objects.create(closed_ticket_months=6, quarantine_days=30)
    with django_assert_num_queries(1):
        policy = RetentionPolicy.current()
    assert (policy.closed_ticket_months, policy.quarantine_days) == (6, 30)


def test_empty_values_fall_back_to_the_environment(env):
    assert (RetentionPolicy.current().closed_ticket_months,
            RetentionPolicy.current().quarantine_days) == (12, 60)  # no row at all
    RetentionPolicy.objects.create(closed_ticket_months=None, quarantine_days=5)
    policy = RetentionPolicy.current()
    assert (policy.closed_ticket_months, policy.quarantine_days) == (12, 5)


def test_zero_keeps_forever_even_when_the_environment_erases(env, customer):
    RetentionPolicy.objects.create(closed_ticket_months=0, quarantine_days=0)
    now = timezone.now()
    ancient = TicketFactory(customer=customer, status="closed", subject="ancient",
                            closed_at=now - timedelta(days=3000))
    InboundEmail.objects.create(source="file", raw=b"x", dedup_key="q0", status="quarantined",
                                received_at=now - timedelta(days=3000))
    assert tasks.apply_retention() == {"tickets": 0, "quarantined": 0}
    ancient.refresh_from_db()
    assert ancient.subject == "ancient"
    assert InboundEmail.objects.filter(dedup_key="q0").exists()


def test_a_singleton_saves_one_row():
    RetentionPolicy(closed_ticket_months=3).save()
    RetentionPolicy(closed_ticket_months=4).save()
    assert list(RetentionPolicy.objects.values_list("pk", "closed_ticket_months")) == [(1, 4)]


def test_apply_retention_uses_the_stored_months(settings, customer, capsys):
    settings.HELPDESK_RETENTION_CLOSED_MONTHS = 0  # the environment keeps forever
    settings.HELPDESK_RETENTION_QUARANTINE_DAYS = 0
    RetentionPolicy.objects.create(closed_ticket_months=3, quarantine_days=10)
    now = timezone.now()
    old = TicketFactory(customer=customer, status="closed", subject="old pacemaker",
                        closed_at=now - timedelta(days=100))
    newer = TicketFactory(customer=customer, status="closed", subject="newer",
                          closed_at=now - timedelta(days=80))
    MessageFactory(ticket=old, body_text="old text")
    MessageFactory(ticket=newer, body_text="newer text")
    stale = InboundEmail.objects.create(source="file", raw=b"x", dedup_key="q1",
                                        status="quarantined",
                                        received_at=now - timedelta(days=11))
    fresh = InboundEmail.objects.create(source="file", raw=b"y", dedup_key="q2",
                                        status="quarantined", received_at=now - timedelta(days=9))

    call_command("apply_retention")
    assert capsys.readouterr().out.strip() == (
        "tickets erased: 1 (retention 3 months); quarantined emails deleted: 1 "
        "(retention 10 days)")

    old.refresh_from_db(), newer.refresh_from_db()
    assert old.subject == privacy.ERASED and old.contents_erased_at is not None
    assert list(old.messages.values_list("body_text", flat=True)) == [""]
    assert newer.subject == "newer" and newer.contents_erased_at is None
    assert list(newer.messages.values_list("body_text", flat=True)) == ["newer text"]
    assert not InboundEmail.objects.filter(pk=stale.pk).exists()
    assert InboundEmail.objects.filter(pk=fresh.pk).exists()


# The Django admin -------------------------------------------------------------------------


def test_an_admin_sets_the_periods_in_the_django_admin(client, admin_user, env):
    client.force_login(admin_user)
    assert client.get(ADMIN_URL).url == f"{ADMIN_URL}add/"  # the list opens the one row
    page = client.get(f"{ADMIN_URL}add/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Environment default: 12 months." in text and "Environment default: 60 days." in text

    done = client.post(f"{ADMIN_URL}add/", {"closed_ticket_months": "24",
                                            "quarantine_days": ""}, REMOTE_ADDR="192.0.2.9")
    assert done.status_code == 302
    row = RetentionPolicy.objects.get()
    assert (row.closed_ticket_months, row.quarantine_days, row.updated_by) == (24, None,
                                                                               admin_user)
    assert client.get(ADMIN_URL).url == f"{ADMIN_URL}1/change/"
    assert client.get(f"{ADMIN_URL}add/").status_code == 403  # no second row
    change = client.get(f"{ADMIN_URL}1/change/")
    assert change.status_code == 200 and "deletelink" not in change.content.decode()
    assert client.post(f"{ADMIN_URL}1/delete/", {"post": "yes"}).status_code == 403

    done = client.post(f"{ADMIN_URL}1/change/", {"closed_ticket_months": "0",
                                                 "quarantine_days": "7"},
                       REMOTE_ADDR="192.0.2.9")
    assert done.status_code == 302
    assert RetentionPolicy.current().closed_ticket_months == 0
    assert RetentionPolicy.current().quarantine_days == 7
    entries = AuditEntry.objects.filter(action=Action.SETTINGS_CHANGED,
                                        target_type="tickets.retentionpolicy").order_by("pk")
    assert [(e.detail["change"], e.actor, e.ip) for e in entries] == [
        ("created", admin_user, "192.0.2.9"), ("updated", admin_user, "192.0.2.9")]


def test_the_django_admin_refuses_bad_values(client, admin_user):
    client.force_login(admin_user)
    page = client.post(f"{ADMIN_URL}add/", {"closed_ticket_months": "1201",
                                            "quarantine_days": "-1"})
    assert page.status_code == 200
    errors = page.context["adminform"].form.errors
    assert set(errors) == {"closed_ticket_months", "quarantine_days"}
    assert not RetentionPolicy.objects.exists()


def test_a_manager_cannot_open_or_change_it_in_the_django_admin(client, manager):
    manager.is_staff = True
    manager.save()
    RetentionPolicy.objects.create(closed_ticket_months=24)
    client.force_login(manager)
    assert client.get(ADMIN_URL).status_code == 403
    assert client.get(f"{ADMIN_URL}1/change/").status_code == 403
    assert client.post(f"{ADMIN_URL}1/change/",
                       {"closed_ticket_months": "1", "quarantine_days": "1"}).status_code == 403
    assert "retentionpolicy" not in client.get("/admin/").content.decode()
    assert RetentionPolicy.objects.get().closed_ticket_months == 24


# The API ----------------------------------------------------------------------------------


def test_an_admin_reads_the_periods_through_the_api(admin_user, env,
                                                     django_assert_max_num_queries):
    client = api_client_for(admin_user)
    body = client.get(URL).json()
    assert body == {"closed_ticket_months": None, "quarantine_days": None,
                    "effective": {"closed_ticket_months": 12, "quarantine_days": 60},
                    "defaults": {"closed_ticket_months": 12, "quarantine_days": 60}}
    RetentionPolicy.objects.create(quarantine_days=0)
    with django_assert_max_num_queries(4):  # token, user, last use, policy
        body = client.get(URL).json()
    assert body["quarantine_days"] == 0 and body["effective"]["quarantine_days"] == 0


def test_an_admin_changes_the_periods_through_the_api(admin_user, env):
    client = api_client_for(admin_user)
    response = client.patch(URL, {"closed_ticket_months": 18}, format="json",
                            REMOTE_ADDR="198.51.100.3")
    assert response.status_code == 200, response.content
    assert response.json()["effective"] == {"closed_ticket_months": 18, "quarantine_days": 60}
    # What GET returned can go back as it is; null returns to the environment default.
    body = {**client.get(URL).json(), "closed_ticket_months": None, "quarantine_days": 5}
    response = client.patch(URL, body, format="json", REMOTE_ADDR="198.51.100.3")
    assert response.json()["effective"] == {"closed_ticket_months": 12, "quarantine_days": 5}
    row = RetentionPolicy.objects.get()
    assert (row.closed_ticket_months, row.quarantine_days, row.updated_by) == (None, 5,
                                                                               admin_user)
    entries = AuditEntry.objects.filter(action=Action.SETTINGS_CHANGED,
                                        target_type="tickets.retentionpolicy").order_by("pk")
    assert [(e.detail, e.actor, e.ip) for e in entries] == [
        ({"change": "created"}, admin_user, "198.51.100.3"),
        ({"change": "updated", "fields": ["closed_ticket_months", "quarantine_days",
                                          "updated_at", "updated_by"]},
         admin_user, "198.51.100.3")]


@pytest.mark.parametrize("persona", ["manager", "agent", "analyst"])
def test_others_get_403_from_the_api(request, persona):
    client = api_client_for(request.getfixturevalue(persona))
    for response in (client.get(URL),
                     client.patch(URL, {"closed_ticket_months": 1}, format="json")):
        assert response.status_code == 403
        assert response.json()["detail"] == ("Only administrators may view or change the "
                                              "data retention settings.")
    assert not RetentionPolicy.objects.exists()


def test_signed_out_gets_no_access(client):
    assert client.get(URL).status_code in (401, 403)


@pytest.mark.parametrize(("body", "field"), [
    ({"closed_ticket_months": -1}, "closed_ticket_months"),
    ({"closed_ticket_months": 1201}, "closed_ticket_months"),
    ({"closed_ticket_months": 1.5}, "closed_ticket_months"),
    ({"closed_ticket_months": "12"}, "closed_ticket_months"),
    ({"quarantine_days": 3651}, "quarantine_days"),
    ({"quarantine_days": True}, "quarantine_days"),
    ({"quarantine_days": "soon"}, "quarantine_days"),
    ({"keep": 3}, "keep"),
])
def test_bad_values_get_400_naming_the_field(admin_user, body, field):
    response = api_client_for(admin_user).patch(URL, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not RetentionPolicy.objects.exists()


def test_the_largest_values_are_accepted(admin_user):
    response = api_client_for(admin_user).patch(
        URL, {"closed_ticket_months": 1200, "quarantine_days": 3650}, format="json")
    assert response.status_code == 200
    assert response.json()["effective"] == {"closed_ticket_months": 1200,
                                            "quarantine_days": 3650}


def test_a_non_object_body_is_a_400(admin_user):
    response = api_client_for(admin_user).patch(URL, [1, 2], format="json")
    assert response.status_code == 400


def test_the_schema_describes_the_endpoint(admin_user):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = schema["paths"]["/api/v1/privacy/retention/"]
    assert set(operations) == {"get", "patch"}
    component = schema["components"]["schemas"]["RetentionSettings"]
    assert set(component["properties"]) == {"closed_ticket_months", "quarantine_days",
                                            "effective", "defaults"}


def test_the_new_words_are_in_finnish(env):
    from django.utils import translation

    from tickets.admin_privacy import environment_default_text

    with translation.override("fi"):
        assert environment_default_text(12, "months") == "Ympäristön oletus: 12 kuukautta."
        assert environment_default_text(1, "days") == "Ympäristön oletus: 1 päivä."
        assert environment_default_text(0, "days") == \
            "Ympäristön oletus: 0 (säilytetään pysyvästi)."
        assert str(RetentionPolicy._meta.verbose_name) == "tietojen säilytys"
        field = RetentionPolicy._meta.get_field("quarantine_days")
        assert str(field.verbose_name).startswith("karanteenissa")
        assert str(field.help_text).startswith("Tätä vanhempi")
