"""The audit log: what it records (sign-ins, role changes, rule changes, exports), that
the application cannot change or delete it, and the admins' page with filters and CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from audit.models import Action, AppendOnlyError, AuditEntry
from audit.services import current_request, record
from tests.conftest import api_client_for
from tests.factories import UserFactory

PASSWORD = "correct horse battery"


def test_sign_in_success_and_failure_are_recorded_with_ip_and_browser(client, agent):
    client.post("/accounts/login/", {"username": agent.email, "password": "wrong"},
                HTTP_USER_AGENT="Firefox/140", REMOTE_ADDR="203.0.113.9")
    client.post("/accounts/login/", {"username": agent.email, "password": PASSWORD},
                HTTP_USER_AGENT="Firefox/140", REMOTE_ADDR="203.0.113.9")
    failed, signed_in = AuditEntry.objects.filter(
        action__in=[Action.SIGN_IN, Action.SIGN_IN_FAILED]).order_by("pk")
    assert (failed.action, failed.actor, failed.actor_email) == (
        Action.SIGN_IN_FAILED, None, agent.email)
    assert (signed_in.action, signed_in.actor, signed_in.detail) == (
        Action.SIGN_IN, agent, {"method": "password"})
    assert {failed.ip, signed_in.ip} == {"203.0.113.9"}
    assert signed_in.user_agent == "Firefox/140"


def test_role_change_is_recorded_with_who_did_it(agent, admin_user):
    request = RequestFactory().post("/admin/helpdesk/user/", REMOTE_ADDR="198.51.100.4")
    request.user = admin_user
    token = current_request.set(request)  # as AuditContextMiddleware does
    try:
        agent.role = "manager"
        agent.save()
    finally:
        current_request.reset(token)
    entry = AuditEntry.objects.get(action=Action.ROLE_CHANGED)
    assert (entry.actor, entry.ip, entry.target_label) == (admin_user, "198.51.100.4", str(agent))
    assert entry.detail["old"] == "agent" and entry.detail["new"] == "manager"


def test_saving_without_a_role_change_records_nothing(agent):
    agent.name = "Aino A."
    agent.save()
    assert not AuditEntry.objects.filter(action=Action.ROLE_CHANGED).exists()


def test_rule_changes_through_the_api_are_recorded(manager):
    api = api_client_for(manager)
    rule = api.post("/api/v1/rules/", {
        "name": "Web to Billing", "kind": "trigger", "events": ["ticket.created"],
        "conditions": {"all": [{"field": "channel", "op": "is", "value": "web"}], "any": []},
        "actions": [{"type": "add_tags", "value": ["web"]}]}, format="json").json()
    api.patch(f"/api/v1/rules/{rule['id']}/", {"active": False}, format="json")
    api.delete(f"/api/v1/rules/{rule['id']}/")
    changes = [e.detail["change"] for e in
               AuditEntry.objects.filter(action=Action.RULE_CHANGED).order_by("pk")]
    assert changes[0] == "created" and changes[-1] == "deleted" and "updated" in changes
    assert set(AuditEntry.objects.filter(action=Action.RULE_CHANGED)
               .values_list("actor_email", flat=True)) == {manager.email}


def test_entries_cannot_be_changed_or_deleted(agent):
    entry = record(action=Action.EXPORT, actor=agent, detail={"export": "x.csv"})
    entry.detail = {"export": "other.csv"}
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action=Action.SIGN_IN)
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).detail == {"export": "x.csv"}


def test_deleting_a_user_keeps_their_entries(agent):
    record(action=Action.EXPORT, actor=agent)
    agent.delete()
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert entry.actor is None and entry.actor_email == "aino@helpdesk.test"


def test_the_admin_site_shows_entries_read_only(client, admin_user):
    entry = record(action=Action.EXPORT, actor=admin_user)
    client.force_login(admin_user)
    assert client.get("/admin/audit/auditentry/").status_code == 200
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/",
                       {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/change/",
                       {"action": "sign_in", "actor_email": "x@y"}).status_code == 403
    listing = client.get("/admin/audit/auditentry/").content.decode()
    assert "delete_selected" not in listing  # no bulk delete action either
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.action, entry.actor_email) == (Action.EXPORT, admin_user.email)


@pytest.fixture
def log_entries(agent, manager):
    now = timezone.now()
    for days, action, actor in ((1, Action.SIGN_IN, agent), (2, Action.TOKEN_CREATED, agent),
                                (40, Action.SIGN_IN, manager)):
        # Written as of that day (the application never back-dates an existing entry).
        AuditEntry(action=action, actor=actor, actor_email=actor.email,
                   at=now - timedelta(days=days)).save()


def test_admin_filters_by_action_actor_and_date(client, admin_user, log_entries, agent):
    client.force_login(admin_user)
    by_action = client.get("/audit/", {"action": "sign_in"}).context["page"]
    assert by_action.paginator.count == 3  # the two above and the admin's own sign-in
    by_actor = client.get("/audit/", {"actor": agent.email.upper()}).context["page"]
    assert by_actor.paginator.count == 2
    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    recent = client.get("/audit/", {"from": since, "action": "sign_in"}).context["page"]
    assert [e.actor_email for e in recent] == [admin_user.email, agent.email]


def test_bad_filters_are_a_400_naming_them(client, admin_user):
    client.force_login(admin_user)
    page = client.get("/audit/", {"from": "yesterday", "action": "bogus"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "“yesterday” is not a date" in text and "Unknown action “bogus”" in text
    assert 'value="yesterday"' in text  # what was typed stays in the form


def test_csv_export_has_the_filtered_rows_and_is_itself_audited(client, admin_user,
                                                                  log_entries, agent):
    client.force_login(admin_user)
    response = client.get("/audit/", {"format": "csv", "actor": agent.email})
    assert response["Content-Disposition"] == 'attachment; filename="audit-log.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["at", "action", "actor"]
    assert sorted(r[1] for r in rows[1:]) == ["sign_in", "token_created"]
    export = AuditEntry.objects.get(action=Action.EXPORT)
    assert export.actor == admin_user and export.detail["export"] == "audit-log.csv"


@pytest.mark.parametrize("persona", ["agent", "manager", "analyst"])
def test_export_by_a_non_admin_is_refused_and_audited(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get("/audit/", {"format": "csv"})
    assert response.status_code == 403
    assert "Only administrators may read the audit log." in response.content.decode()
    refused = AuditEntry.objects.get(action=Action.EXPORT_REFUSED)
    assert refused.actor == user and refused.detail["reason"] == "not_admin"


def test_log_page_query_count_is_constant(client, admin_user, django_assert_max_num_queries):
    client.force_login(admin_user)
    for _ in range(3):
        record(action=Action.SIGN_IN, actor=UserFactory())
    with django_assert_max_num_queries(8) as few:
        assert client.get("/audit/").status_code == 200
    for _ in range(30):
        record(action=Action.SIGN_IN, actor=admin_user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/audit/").status_code == 200


def _settings_objects(team, agent):
    """One of each installation setting admins and managers change (audit.receivers)."""
    from datetime import date, time

    from chat.models import TeamChatHours
    from integrations.models import WebhookSubscription
    from rules.models import Rule
    from surveys.models import SurveyProgram
    from tickets.models import (
        BusinessCalendar,
        CannedResponse,
        ChannelDefault,
        CustomField,
        CustomHoliday,
        Macro,
        ReceivingAddress,
        RetentionPolicy,
        SLAPolicy,
        Team,
        TeamMembership,
        WorkingInterval,
    )

    names = iter(range(100))

    def calendar():
        return BusinessCalendar.objects.create(name=f"Office {next(names)}")

    return {
        "tickets.BusinessCalendar": calendar,
        "tickets.WorkingInterval": lambda: WorkingInterval.objects.create(
            calendar=calendar(), weekday=0, start=time(8), end=time(16)),
        "tickets.CustomHoliday": lambda: CustomHoliday.objects.create(calendar=calendar(),
                                                                      date=date(2026, 12, 24)),
        "tickets.SLAPolicy": lambda: SLAPolicy.objects.create(name="Gold", calendar=calendar()),
        "tickets.Team": lambda: Team.objects.create(name="Returns"),
        "tickets.TeamMembership": lambda: TeamMembership.objects.create(
            team=Team.objects.create(name="Night shift"), user=agent),
        "tickets.ChannelDefault": lambda: ChannelDefault.objects.create(channel="phone",
                                                                        team=team),
        "tickets.ReceivingAddress": lambda: ReceivingAddress.objects.create(
            address="returns@helpdesk.test", team=team),
        "tickets.CustomField": lambda: CustomField.objects.create(
            key="model", type="text", label_en="Model", label_fi="Malli"),
        "tickets.Macro": lambda: Macro.objects.create(name="Close politely"),
        "tickets.CannedResponse": lambda: CannedResponse.objects.create(title="Hi",
                                                                        body="Hello!"),
        "tickets.RetentionPolicy": lambda: RetentionPolicy.objects.create(
            closed_ticket_months=24),
        "rules.Rule": lambda: Rule.objects.create(name="Tag web"),
        "integrations.WebhookSubscription": lambda: WebhookSubscription.objects.create(
            url="https://example.com/hook", secret="s" * 32),
        "surveys.SurveyProgram": lambda: SurveyProgram.objects.create(
            name="CSAT", metric="csat", question_en="How?", question_fi="Miten?"),
        "chat.TeamChatHours": lambda: TeamChatHours.objects.create(team=team,
                                                                   calendar=calendar()),
    }


def test_every_audited_settings_model_records_create_update_and_delete(team, agent, admin_user):
    """Each installation setting in audit.receivers.AUDITED_MODELS, changed on behalf of
    a request: created, updated and deleted are three entries naming who and from where."""
    from audit.receivers import AUDITED_MODELS

    request = RequestFactory().post("/admin/", REMOTE_ADDR="198.51.100.7")
    request.user = admin_user
    token = current_request.set(request)
    try:
        makers = _settings_objects(team, agent)
        assert set(makers) == set(AUDITED_MODELS)  # a new audited model needs a line above
        for label, make in makers.items():
            obj = make()
            pk = obj.pk
            obj.save()
            obj.delete()
            changes = [(e.detail["change"], e.actor, e.ip) for e in AuditEntry.objects.filter(
                target_type=obj._meta.label_lower, target_id=str(pk)).order_by("pk")]
            assert [c[0] for c in changes] == ["created", "updated", "deleted"], label
            assert {c[1:] for c in changes} == {(admin_user, "198.51.100.7")}, label
            assert AuditEntry.objects.filter(target_type=obj._meta.label_lower).first().action \
                == AUDITED_MODELS[label]
    finally:
        current_request.reset(token)


def test_a_team_renamed_in_the_django_admin_is_recorded(client, admin_user, team):
    client.force_login(admin_user)
    page = client.get(f"/admin/tickets/team/{team.pk}/change/")
    assert page.status_code == 200
    form = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    form = {**{k: (v.pk if hasattr(v, "pk") else v) for k, v in form.items()
               if not isinstance(v, list | tuple)}, "name": "Billing and returns"}
    for formset in page.context["inline_admin_formsets"]:
        mgmt = formset.formset.management_form
        form.update({f"{mgmt.prefix}-{k}": v for k, v in mgmt.initial.items()})
        for inline in formset.formset.initial_forms:
            form.update({f"{inline.prefix}-{k}": (v.pk if hasattr(v, "pk") else v)
                         for k, v in inline.initial.items() if v is not None})
            form[f"{inline.prefix}-id"] = inline.instance.pk
    done = client.post(f"/admin/tickets/team/{team.pk}/change/", form,
                       REMOTE_ADDR="192.0.2.44")
    assert done.status_code == 302, done.context and done.context["adminform"].form.errors
    entry = AuditEntry.objects.filter(action=Action.SETTINGS_CHANGED, actor=admin_user,
                                      target_type="tickets.team").get()
    assert (entry.actor, entry.ip, entry.detail["change"]) == (admin_user, "192.0.2.44",
                                                              "updated")


@pytest.mark.parametrize(("persona", "url", "export"), [
    ("analyst", "/api/v1/surveys/responses/?format=csv", "survey-responses.csv"),
    ("manager", "/surveys/responses.csv", "survey-responses.csv"),
    ("manager", "/metrics/drivers/?format=csv", "drivers-nps-transactional.csv"),
    ("manager", "/time/report/?format=csv", None),
    ("analyst", "/metrics/export/team.csv", "metrics-team.csv"),
    ("analyst", "/metrics/responses/?format=csv", "responses.csv"),
])
def test_every_csv_export_is_recorded(client, request, persona, url, export):
    user = request.getfixturevalue(persona)
    if url.startswith("/api/"):
        response = api_client_for(user).get(url)
    else:
        client.force_login(user)
        response = client.get(url)
    assert response.status_code == 200 and "csv" in response["Content-Type"]
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert entry.actor == user
    assert entry.detail["export"] == export if export else entry.detail["export"].startswith("time-")


def test_a_role_changed_in_the_django_admin_is_recorded(client, admin_user, agent):
    """The real admin form, through the middleware that hands the request to the log."""
    client.force_login(admin_user)
    form = {"email": agent.email, "name": agent.name, "language": agent.language,
            "time_zone": agent.time_zone, "signature": agent.signature, "role": "manager",
            "is_active": "on", "is_staff": "", "availability": agent.availability,
            "capacity": agent.capacity if agent.capacity is not None else "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00", "initial-date_joined_0": "2026-01-01",
            "initial-date_joined_1": "10:00:00"}
    done = client.post(f"/admin/helpdesk/user/{agent.pk}/change/", form,
                       REMOTE_ADDR="192.0.2.45", HTTP_USER_AGENT="Firefox/140")
    assert done.status_code == 302, done.context["adminform"].form.errors
    entry = AuditEntry.objects.get(action=Action.ROLE_CHANGED)
    assert (entry.actor, entry.ip, entry.user_agent) == (admin_user, "192.0.2.45", "Firefox/140")
    assert (entry.detail["old"], entry.detail["new"]) == ("agent", "manager")


def test_a_setting_saved_with_raw_values_is_recorded_without_breaking_the_save(team):
    """WorkingInterval's name formats its times; created from strings it cannot yet."""
    from tickets.models import BusinessCalendar, WorkingInterval

    calendar = BusinessCalendar.objects.create(name="Night")
    interval = WorkingInterval.objects.create(calendar=calendar, weekday=1, start="08:00",
                                              end="16:00")
    entry = AuditEntry.objects.get(target_type="tickets.workinginterval")
    assert (entry.target_id, entry.target_label) == (str(interval.pk),
                                                     f"working interval #{interval.pk}")
