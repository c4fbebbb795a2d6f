"""A customer's data: export, erasure that leaves every metric unchanged, retention
(docs/privacy.md)."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEntry
from helpdesk.models import OutboundEmail, User
from integrations.models import WebhookDelivery
from surveys.models import FollowUp, Response
from tests.conftest import api_client_for
from tests.factories import MessageFactory, TicketFactory, UserFactory
from tests.metrics.conftest import make_response
from tests.metrics.test_rollups import _everything, _filter_sets, _refresh_all, varied  # noqa: F401
from tickets import privacy, tasks
from tickets.models import (
    Attachment,
    Customer,
    CustomerNote,
    CustomField,
    InboundEmail,
    Message,
    SideConversation,
    Ticket,
    TicketEvent,
    TicketFieldValue,
    TimeEntry,
)

pytestmark = pytest.mark.django_db

SECRET_WORDS = ("Kalle", "customer@example.com", "+358401234567", "pacemaker", "invoice-77",
                "spouse@example.org", "Liisa Spouse", "lawyer@example.net", "serial-XY9")


@pytest.fixture
def story(customer, agent, team):
    """A customer with a ticket, a reply, a note, an attachment, an email each way, a low
    score with a comment, a follow-up and a webhook delivery."""
    Customer.objects.filter(pk=customer.pk).update(phone="+358401234567")
    ticket = TicketFactory(customer=customer, team=team, assignee=agent, status="solved",
                           subject="My pacemaker invoice-77", solved_at=timezone.now())
    first = MessageFactory(ticket=ticket, author_type="customer", author_customer=customer,
                           body_text="Hello, Kalle here about my pacemaker.")
    MessageFactory(ticket=ticket, author_type="agent", author_user=agent,
                   body_text="Hi Kalle, invoice-77 is paid.")
    MessageFactory(ticket=ticket, author_type="agent", author_user=agent, public=False,
                   body_text="Note: Kalle called about the pacemaker.")
    attachment = Attachment(message=first, filename="scan.png", content_type="image/png", size=4)
    attachment.file.save("scan.png", ContentFile(b"\x89PNG"), save=True)
    TicketEvent.objects.create(ticket=ticket, field="subject", old_value="pacemaker",
                               new_value="My pacemaker invoice-77")
    InboundEmail.objects.create(source="file", raw=b"From: customer@example.com\r\n\r\npacemaker",
                                dedup_key="k1", sender="Kalle <customer@example.com>",
                                subject="pacemaker", ticket=ticket, status="created")
    OutboundEmail.objects.create(kind="reply", to="customer@example.com", subject="Re: pacemaker",
                                 body_text="Hi Kalle", message_id="<m1@x>", ticket_id=ticket.pk)
    response = make_response("nps", 2, ticket=ticket, comment="Kalle is unhappy: pacemaker",
                             created_at=timezone.now())
    FollowUp.objects.create(response=response, ticket=ticket, due_at=timezone.now(),
                            note="Called Kalle about invoice-77")
    WebhookDelivery.objects.create(ticket=ticket, url="https://example.com/h", event="x",
                                   payload={"customer": "customer@example.com"}, secret="s")
    CustomerNote.objects.create(customer=customer, author=agent,
                                body="Kalle prefers calls about the pacemaker")
    # CC'd people, a forward to a third party, a time note, a typed custom field value.
    Ticket.objects.filter(pk=ticket.pk).update(cc=["spouse@example.org"])
    MessageFactory(ticket=ticket, author_type="customer", author_customer=None,
                   sender_name="Liisa Spouse", sender_email="spouse@example.org",
                   body_text="I am his wife.")
    SideConversation.objects.create(ticket=ticket, to="lawyer@example.net",
                                    subject="About Kalle's pacemaker")
    TimeEntry.objects.create(ticket=ticket, agent=agent, seconds=600,
                             note="Phoned Kalle about invoice-77")
    serial = CustomField.objects.create(key="serial", type="text", label_en="Serial",
                                        label_fi="Sarjanumero")
    TicketFieldValue.objects.create(ticket=ticket, field=serial, value="serial-XY9")
    return ticket


def _archive(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response) if hasattr(response, "streaming_content")
                                      else response.content))


def test_export_holds_everything_stored_about_the_customer(story, customer, admin_user):
    response = api_client_for(admin_user).get(f"/api/v1/customers/{customer.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = _archive(response)
    names = set(archive.namelist())
    assert {"index.json", "customer.json", "tickets.json", "emails.json", "surveys.json",
            "webhook_deliveries.json"} <= names
    assert any(n.startswith(f"attachments/{story.pk}/") and n.endswith("scan.png") for n in names)
    person = json.loads(archive.read("customer.json"))
    assert person["notes"][0]["body"] == "Kalle prefers calls about the pacemaker"
    assert person["email"] == "customer@example.com" and person["phone"] == "+358401234567"
    tickets = json.loads(archive.read("tickets.json"))
    assert [t["subject"] for t in tickets] == ["My pacemaker invoice-77"]
    assert len(tickets[0]["messages"]) == 4 and tickets[0]["history"]
    assert tickets[0]["cc"] == ["spouse@example.org"]
    assert tickets[0]["side_conversations"][0]["to"] == "lawyer@example.net"
    assert tickets[0]["time_entries"][0]["note"] == "Phoned Kalle about invoice-77"
    assert tickets[0]["fields"][0]["value"] == "serial-XY9"
    surveys = json.loads(archive.read("surveys.json"))
    assert surveys["responses"][0]["comment"] == "Kalle is unhappy: pacemaker"
    assert surveys["follow_ups"][0]["note"] == "Called Kalle about invoice-77"
    emails = json.loads(archive.read("emails.json"))
    assert emails["sent_to_customer"][0]["body_text"] == "Hi Kalle"


def _stored_text(customer: Customer) -> str:
    """Every text the database holds that could name or quote the person."""
    texts = [json.dumps(list(Customer.objects.filter(pk=customer.pk).values()), default=str)]
    for model in (Ticket, Message, TicketEvent, InboundEmail, OutboundEmail, Response, FollowUp,
                  WebhookDelivery, SideConversation, TimeEntry, TicketFieldValue, CustomerNote):
        texts.append(json.dumps(list(model.objects.values()), default=str))
    return "\n".join(texts)


def test_erasure_removes_the_person_and_what_was_written(story, customer, admin_user,
                                                        django_capture_on_commit_callbacks):
    before = _stored_text(customer)
    assert all(word in before for word in SECRET_WORDS)  # the check can fail
    stored_file = Attachment.objects.get().file.name
    storage = Attachment._meta.get_field("file").storage

    with django_capture_on_commit_callbacks(execute=True):  # the files go after commit
        response = api_client_for(admin_user).post(f"/api/v1/customers/{customer.pk}/erase/")
    assert response.status_code == 200, response.content
    assert response.json()["sections"]["tickets"] == 1

    after = _stored_text(customer)
    assert [word for word in SECRET_WORDS if word in after] == []
    customer.refresh_from_db()
    assert customer.erased_at is not None and customer.email.endswith("@erased.invalid")
    assert customer.survey_opt_out  # never asked again
    assert not Attachment.objects.exists()
    assert not storage.exists(stored_file)
    assert WebhookDelivery.objects.get().status == "failed"  # the pending copy is never sent
    # The facts stay: the ticket, its status, the score.
    story.refresh_from_db()
    assert story.status == "solved" and story.contents_erased_at is not None
    assert Response.objects.get().score == 2
    # Twice is the same as once.
    again = api_client_for(admin_user).post(f"/api/v1/customers/{customer.pk}/erase/")
    assert again.status_code == 200


def test_every_metric_is_the_same_after_erasing_every_customer(varied, team, agent):  # noqa: F811
    filters = _filter_sets(team, agent)
    live_before = _everything(filters)
    _refresh_all()
    rolled_before = _everything(filters)
    assert live_before[0][0]["nps"]["n"] > 5  # not vacuous

    for customer in Customer.objects.all():
        privacy.erase_customer(customer=customer)
    assert not Customer.objects.filter(erased_at__isnull=True).exists()

    assert _everything(filters) == rolled_before  # rollups, as refreshed before
    _refresh_all()
    assert _everything(filters) == rolled_before  # rollups refreshed after erasure
    from metrics.models import RollupState
    RollupState.objects.all().delete()
    assert _everything(filters) == live_before  # the live queries


ROLES = {
    "anonymous": lambda: None,
    "agent": lambda: UserFactory(role=User.Role.AGENT),
    "manager": lambda: UserFactory(role=User.Role.MANAGER),
    "analyst": lambda: UserFactory(role=User.Role.ANALYST),
    "admin": lambda: UserFactory(role=User.Role.ADMIN),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["export", "erase"])
def test_only_admins_may_export_or_erase(role, action, customer):
    client = api_client_for(ROLES[role]())
    url = f"/api/v1/customers/{customer.pk}/{action}/"
    response = client.get(url) if action == "export" else client.post(url)
    expected = {"anonymous": 401, "agent": 403, "manager": 403, "analyst": 403,
                "admin": 200}[role]
    assert response.status_code == expected
    if role in ("agent", "manager", "analyst"):
        assert response.json()["detail"] == ("Only administrators may export or erase a "
                                             "customer's personal data.")
    customer.refresh_from_db()
    assert (customer.erased_at is not None) == (action == "erase" and role == "admin")
    # Every attempt by a signed-in person is in the audit log, naming the customer by id only.
    done = {"export": Action.EXPORT, "erase": Action.ERASURE}[action]
    refused = {"export": Action.EXPORT_REFUSED, "erase": Action.ERASURE_REFUSED}[action]
    entries = list(AuditEntry.objects.filter(action__in=[done, refused])
                   .values_list("action", "target_id", "target_label"))
    if role == "anonymous":
        assert entries == []
    else:
        assert entries == [(done if role == "admin" else refused, str(customer.pk),
                            f"#{customer.pk}" if role == "admin" else "")]


@pytest.mark.parametrize("pk", ["999999", "abc", "0"])
def test_unknown_customer_is_a_json_404(pk, admin_user):
    response = api_client_for(admin_user).post(f"/api/v1/customers/{pk}/erase/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_admin_action_asks_for_confirmation_then_erases(client, story, customer, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:tickets_customer_changelist")
    form = {"action": "erase_personal_data", "_selected_action": [customer.pk]}
    page = client.post(url, form)
    assert page.status_code == 200
    assert "Yes, erase their personal data" in page.content.decode()
    customer.refresh_from_db()
    assert customer.erased_at is None  # nothing happens before the confirmation
    done = client.post(url, {**form, "confirmed": "yes"}, follow=True)
    assert done.status_code == 200
    customer.refresh_from_db()
    assert customer.erased_at is not None


def test_admin_export_action_downloads_the_archive(client, story, customer, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("admin:tickets_customer_changelist"),
                           {"action": "export_personal_data", "_selected_action": [customer.pk]})
    assert response.status_code == 200
    assert "customer.json" in _archive(response).namelist()


def test_a_manager_in_the_admin_has_no_privacy_actions(client, customer):
    manager = UserFactory(role=User.Role.MANAGER, is_staff=True, is_superuser=False)
    manager.user_permissions.add(*Permission.objects.filter(codename__endswith="customer"))
    client.force_login(manager)
    page = client.get(reverse("admin:tickets_customer_changelist"))
    assert page.status_code == 200
    assert "erase_personal_data" not in page.content.decode()
    client.post(reverse("admin:tickets_customer_changelist"),
                {"action": "erase_personal_data", "_selected_action": [customer.pk],
                 "confirmed": "yes"})
    customer.refresh_from_db()
    assert customer.erased_at is None


def test_retention_erases_old_closed_tickets_and_old_quarantined_mail(settings, customer):
    settings.HELPDESK_RETENTION_CLOSED_MONTHS = 6
    settings.HELPDESK_RETENTION_QUARANTINE_DAYS = 30
    now = timezone.now()
    old = TicketFactory(customer=customer, status="closed", subject="old pacemaker",
                        closed_at=now - timedelta(days=200))
    recent = TicketFactory(customer=customer, status="closed", subject="recent",
                           closed_at=now - timedelta(days=150))
    still_open = TicketFactory(customer=customer, status="open", subject="open one")
    MessageFactory(ticket=old, body_text="old text")
    MessageFactory(ticket=recent, body_text="recent text")
    stale = InboundEmail.objects.create(source="file", raw=b"x", dedup_key="q1",
                                        status="quarantined",
                                        received_at=now - timedelta(days=31))
    fresh = InboundEmail.objects.create(source="file", raw=b"y", dedup_key="q2",
                                        status="quarantined", received_at=now - timedelta(days=29))

    assert tasks.apply_retention() == {"tickets": 1, "quarantined": 1}

    old.refresh_from_db(), recent.refresh_from_db(), still_open.refresh_from_db()
    assert old.subject == privacy.ERASED and old.contents_erased_at is not None
    assert list(old.messages.values_list("body_text", flat=True)) == [""]
    assert recent.subject == "recent" and still_open.subject == "open one"
    assert not InboundEmail.objects.filter(pk=stale.pk).exists()
    assert InboundEmail.objects.filter(pk=fresh.pk).exists()
    customer.refresh_from_db()
    assert customer.erased_at is None  # retention erases tickets, not people
    assert tasks.apply_retention() == {"tickets": 0, "quarantined": 0}  # done once


def test_retention_is_off_by_default(settings, customer, capsys):
    TicketFactory(customer=customer, status="closed", closed_at=timezone.now() - timedelta(days=3000))
    call_command("apply_retention")
    assert "tickets erased: 0 (retention off months)" in capsys.readouterr().out


# Models that point at a customer, ticket or message (or at a model that does) but hold
# nothing personal. docs/privacy.md lists them too.
NOT_PERSONAL = {
    "tickets.TicketSLA": "clock times and flags",
    "rules.RuleFiring": "which automation fired on which ticket, and when",
    "tickets.TicketLink": "which tickets are linked, and how",
}


def _pointing_at_customer_data() -> dict[str, set[str]]:
    """Every model that points (a foreign key or one-to-one) at a customer, a ticket or a
    message, or at a model that does, and so on: label → labels it points at."""
    found: dict[str, set[str]] = {f"tickets.{n}": set() for n in ("Customer", "Ticket", "Message")}
    while True:
        grown = False
        for model in apps.get_models():
            pointing = {f.related_model._meta.label for f in model._meta.get_fields()
                        if isinstance(f, models.ForeignKey | models.OneToOneField)
                        and f.related_model._meta.label in found}
            label = model._meta.label
            if pointing and not pointing <= found.get(label, set()):
                found[label] = found.get(label, set()) | pointing
                grown = True
        if not grown:
            return found


def test_every_model_that_points_at_customer_data_is_covered():
    """A new model holding a customer's data (directly, or through a response, a chat, a
    follow-up…) must join a section of tickets/privacy.py or be listed above with the
    reason it holds nothing personal."""
    found = _pointing_at_customer_data()
    assert {"surveys.PromoterAsk", "metrics.ResponseTheme", "chat.Chat"} <= set(found)
    covered = {label for section in privacy.SECTIONS for label in section.covers}
    missing = sorted(set(found) - covered - set(NOT_PERSONAL))
    assert missing == []
    assert set(NOT_PERSONAL) <= set(found)  # no stale excuses


def test_export_holds_the_attachment_bytes_chats_asks_and_themes(story, customer, admin_user):
    from chat.models import Chat
    from metrics.insight_models import CommentTheme, ResponseTheme, ThemeModel
    from surveys.models import PromoterAsk

    Chat.objects.create(ticket=story, status="ended", ended_at=timezone.now())
    response = Response.objects.get()
    PromoterAsk.objects.create(response=response, kind="review", url="https://example.com/r",
                               clicks=2)
    model = ThemeModel.objects.create()
    theme = CommentTheme.objects.create(model=model, label="slow answers", words=["slow"],
                                        language="en")
    ResponseTheme.objects.create(response=response, theme=theme)
    archive = _archive(api_client_for(admin_user).get(f"/api/v1/customers/{customer.pk}/export/"))
    attachment = Attachment.objects.get()
    assert archive.read(f"attachments/{story.pk}/{attachment.pk}-scan.png") == b"\x89PNG"
    assert json.loads(archive.read("chats.json"))[0]["status"] == "ended"
    asks = json.loads(archive.read("surveys.json"))["promoter_asks"]
    assert (asks[0]["kind"], asks[0]["clicks"]) == ("review", 2)
    assert json.loads(archive.read("comment_themes.json")) == [
        {"response_id": response.pk, "theme__label": "slow answers", "theme__language": "en"}]
    sections = json.loads(archive.read("index.json"))["sections"]
    assert {s.name for s in privacy.SECTIONS} == set(sections)
    assert {f"{name}.json" for name in sections} <= set(archive.namelist())


@pytest.fixture
def spouse(story, customer):
    """Another customer, copied on Kalle's ticket, who replied there and attached a file."""
    spouse = Customer.objects.create(email="liisa@example.org", name="Liisa Spouse")
    Ticket.objects.filter(pk=story.pk).update(cc=["customer@example.com", "Liisa@example.org"],
                                              bcc=["liisa@example.org"])
    reply = MessageFactory(ticket=story, author_type="customer", author_customer=spouse,
                           sender_email="liisa@example.org", cc=["liisa@example.org"],
                           body_text="Liisa here: his pacemaker bill")
    attachment = Attachment(message=reply, filename="bill.pdf", content_type="application/pdf",
                            size=3)
    attachment.file.save("bill.pdf", ContentFile(b"PDF"), save=True)
    TicketEvent.objects.create(ticket=story, actor_customer=spouse, field="subject",
                               old_value="Liisa's words", new_value="x")
    return spouse


def test_what_a_customer_wrote_on_others_tickets_is_exported(spouse, story, admin_user):
    archive = _archive(api_client_for(admin_user).get(f"/api/v1/customers/{spouse.pk}/export/"))
    mine = json.loads(archive.read("contributions.json"))
    assert [m["body_text"] for m in mine["messages_on_other_tickets"]] == [
        "Liisa here: his pacemaker bill"]
    assert mine["history_on_other_tickets"][0]["old_value"] == "Liisa's words"
    assert mine["copied_on_tickets"] == [story.pk]
    assert any(n.endswith("bill.pdf") for n in archive.namelist())
    assert json.loads(archive.read("tickets.json")) == []  # Kalle's ticket is not hers
    assert "pacemaker invoice-77" not in json.dumps([json.loads(archive.read(n))
                                                    for n in archive.namelist()
                                                    if n.endswith(".json")])


def test_erasing_a_copied_customer_blanks_their_words_on_others_tickets(
        spouse, story, customer, admin_user, django_capture_on_commit_callbacks):
    from django.contrib.postgres.search import SearchQuery

    from tickets import search

    def found(word: str) -> bool:
        return Ticket.objects.filter(
            pk=story.pk, search_vector=SearchQuery(word, config="simple")).exists()

    postgres = connection.vendor == "postgresql"
    if postgres:
        search.refresh([story.pk])
        assert found("liisa")  # her reply is searchable on Kalle's ticket before
    stored = Attachment.objects.get(filename="bill.pdf").file.name
    with django_capture_on_commit_callbacks(execute=True):
        done = api_client_for(admin_user).post(f"/api/v1/customers/{spouse.pk}/erase/")
    assert done.status_code == 200 and done.json()["sections"]["contributions"] >= 3
    story.refresh_from_db()
    assert (story.cc, story.bcc) == (["customer@example.com"], [])
    assert not Message.objects.filter(body_text__contains="Liisa").exists()
    assert Message.objects.filter(author_customer=spouse).count() == 1  # the row stays
    assert not Attachment.objects.filter(filename="bill.pdf").exists()
    assert not Attachment._meta.get_field("file").storage.exists(stored)
    assert not TicketEvent.objects.filter(old_value__contains="Liisa").exists()
    if postgres:  # the search document forgets her words too
        assert not found("liisa") and found("pacemaker")
    # Kalle's own data is his, untouched by her erasure.
    assert story.subject == "My pacemaker invoice-77"
    assert Attachment.objects.filter(filename="scan.png").exists()
    assert Message.objects.filter(body_text__contains="Kalle").count() == 3


def test_a_customer_known_only_by_phone_matches_nobody_elses_email(story, customer, admin_user):
    """A blank address must not match every email: the export would hand over other
    people's mail and the erasure would wipe it."""
    caller = Customer.objects.create(email="", name="Pekka Phone", phone="+358409999999")
    archive = _archive(api_client_for(admin_user).get(f"/api/v1/customers/{caller.pk}/export/"))
    assert json.loads(archive.read("emails.json")) == {"sent_to_customer": [], "received": []}
    assert json.loads(archive.read("contributions.json"))["messages_on_other_tickets"] == []
    assert api_client_for(admin_user).post(
        f"/api/v1/customers/{caller.pk}/erase/").status_code == 200
    assert InboundEmail.objects.get().raw.startswith(b"From: customer@example.com")
    assert OutboundEmail.objects.get().body_text == "Hi Kalle"
    assert Message.objects.filter(body_text__contains="Kalle").count() == 3


def _every_figure_through_the_api(admin, team, agent) -> dict:
    """What an admin reads through the metrics API, the dashboard pages and the CSV
    exports for the ``varied`` period, under several filters; the cache is cleared before
    each read so a cached answer cannot hide a change."""
    import re

    from django.core.cache import cache
    from django.test import Client

    from metrics.fast import read as queries
    from surveys.models import Kind, Metric
    from tests.metrics.conftest import END, START

    period = f"from={START.date()}&to={(END - timedelta(days=1)).date()}"
    filters = ["", f"&team={team.pk}", f"&agent={agent.pk}", "&channel=email", "&tier=premium",
               "&priority=high"]
    urls = [f"/api/v1/metrics/summary/?{period}{q}" for q in filters]
    urls += [f"/api/v1/metrics/breakdown/?{period}&by={by}{q}" for by in queries.DIMENSIONS
             for q in ("", f"&team={team.pk}")]
    urls += [f"/api/v1/metrics/drivers/?{period}&metric={m}&kind={k}" for m in Metric.values
             for k in Kind.values]
    urls += [f"/api/v1/metrics/themes/?{period}&kind={k}" for k in Kind.values]
    pages = [f"/metrics/export/{by}.csv?{period}" for by in queries.DIMENSIONS]
    pages += [f"/metrics/?{period}{q}" for q in filters]
    pages += [f"/metrics/drivers/?{period}&metric={m}&format=csv" for m in Metric.values]
    figures: dict = {}
    api = api_client_for(admin)
    for url in urls:
        cache.clear()
        response = api.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        figures[url] = response.json()
    browser = Client()
    browser.force_login(admin)
    for url in pages:
        cache.clear()
        response = browser.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        # What differs between any two requests: nonces, the CSRF token, and the time of
        # the last rollup refresh ("Figures as of 14:05"), which the test refreshes again.
        text = re.sub(r'(<p class="freshness">[^<]*?)\d{1,2}:\d{2}', r"\1", text)
        figures[url] = re.sub(r'(nonce|csrfmiddlewaretoken" value|csrf-token" content)="[^"]*"'
                              r'|"X-CSRFToken": "[^"]*"', "", text)
    return figures


def test_every_api_page_and_export_figure_is_the_same_after_erasure(varied, team, agent,  # noqa: F811
                                                                    admin_user):
    """The dashboards as an admin sees them (API JSON, dashboard pages, CSV exports, key
    drivers and themes), from the live queries and from the rollups, before and after
    every customer is erased."""
    from metrics.models import RollupState

    live_before = _every_figure_through_the_api(admin_user, team, agent)
    assert live_before[next(iter(live_before))]["nps"]["n"] > 5  # not vacuous
    _refresh_all()
    rolled_before = _every_figure_through_the_api(admin_user, team, agent)

    for customer in Customer.objects.all():
        privacy.erase_customer(customer=customer)

    _refresh_all()
    rolled_after = _every_figure_through_the_api(admin_user, team, agent)
    assert [url for url in rolled_before if rolled_before[url] != rolled_after[url]] == []
    RollupState.objects.all().delete()
    live_after = _every_figure_through_the_api(admin_user, team, agent)
    assert [url for url in live_before if live_before[url] != live_after[url]] == []


def test_an_admin_exports_and_erases_from_the_customer_page(client, story, customer, admin_user,
                                                           django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="personal-data"' in page and f"/customers/{customer.pk}/erase/" in page
    download = client.get(f"/customers/{customer.pk}/export/")
    assert download["Content-Disposition"] == f'attachment; filename="customer-{customer.pk}.zip"'
    assert "tickets.json" in _archive(download).namelist()

    confirm = client.get(f"/customers/{customer.pk}/erase/")
    assert confirm.status_code == 200 and "Type <code>customer@example.com</code> to confirm" in \
        confirm.content.decode()
    wrong = client.post(f"/customers/{customer.pk}/erase/", {"confirm": "someone@else"})
    assert wrong.status_code == 400
    assert "Type exactly what is shown to confirm." in wrong.content.decode()
    customer.refresh_from_db()
    assert customer.erased_at is None  # nothing happens before a right confirmation
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/customers/{customer.pk}/erase/",
                           {"confirm": "customer@example.com"}, follow=True)
    assert done.status_code == 200
    text = done.content.decode()
    assert "personal data was erased" in text and "Personal data erased on" in text
    customer.refresh_from_db()
    assert customer.erased_at is not None
    assert [e.action for e in AuditEntry.objects.filter(
        action__in=[Action.EXPORT, Action.ERASURE]).order_by("pk")] == [Action.EXPORT,
                                                                       Action.ERASURE]


@pytest.mark.parametrize("role", ["agent", "manager", "analyst"])
def test_the_customer_page_refuses_export_and_erasure_to_non_admins(client, customer, role):
    user = ROLES[role]()
    client.force_login(user)
    if role != "analyst":
        assert 'id="personal-data"' not in client.get(f"/customers/{customer.pk}/").content.decode()
    for url, method, refused in ((f"/customers/{customer.pk}/export/", "get",
                                  Action.EXPORT_REFUSED),
                                 (f"/customers/{customer.pk}/erase/", "post",
                                  Action.ERASURE_REFUSED)):
        response = getattr(client, method)(url, {"confirm": customer.email})
        assert response.status_code == 403
        assert "Only administrators may export or erase" in response.content.decode()
        entry = AuditEntry.objects.get(action=refused)
        assert (entry.actor, entry.target_id) == (user, str(customer.pk))
    customer.refresh_from_db()
    assert customer.erased_at is None


def test_beat_runs_retention_daily_and_it_waits_for_the_period(settings, customer):
    """The beat entry names the real task; run as beat would, on travelled clocks, it
    leaves a ticket closed five months ago alone and erases it at seven months, and
    deletes quarantined mail only past its days."""
    import time_machine
    from celery.schedules import crontab

    from helpdesk.celery import app

    entry = app.conf.beat_schedule["apply-retention"]
    assert entry["schedule"] == crontab(minute=25, hour=3)  # daily
    task = app.tasks[entry["task"]]
    settings.HELPDESK_RETENTION_CLOSED_MONTHS = 6
    settings.HELPDESK_RETENTION_QUARANTINE_DAYS = 30
    closed = TicketFactory(customer=customer, status="closed", subject="pacemaker",
                           closed_at=timezone.now())
    MessageFactory(ticket=closed, body_text="about the pacemaker")
    InboundEmail.objects.create(source="file", raw=b"spam", dedup_key="q", status="quarantined",
                                received_at=timezone.now())
    start = timezone.now()
    with time_machine.travel(start + timedelta(days=29), tick=False):
        assert task.apply().get() == {"tickets": 0, "quarantined": 0}
    with time_machine.travel(start + timedelta(days=31), tick=False):
        assert task.apply().get() == {"tickets": 0, "quarantined": 1}
    with time_machine.travel(start + timedelta(days=150), tick=False):
        assert task.apply().get() == {"tickets": 0, "quarantined": 0}
    closed.refresh_from_db()
    assert closed.subject == "pacemaker"
    with time_machine.travel(start + timedelta(days=7 * 31), tick=False):
        assert task.apply().get() == {"tickets": 1, "quarantined": 0}
    closed.refresh_from_db()
    assert closed.subject == privacy.ERASED and closed.contents_erased_at is not None
    assert list(closed.messages.values_list("body_text", flat=True)) == [""]
    assert closed.status == "closed"  # the fact stays


def test_an_erased_subject_reads_in_the_agents_language(client, customer, agent, team):
    """Erasure stores one marker; pages say it in the reader's language, the API as stored."""
    old = TicketFactory(customer=customer, team=team, status="closed", subject="old pacemaker",
                        closed_at=timezone.now() - timedelta(days=400))
    privacy.erase_ticket_contents(Ticket.objects.filter(pk=old.pk), now=timezone.now())
    old.refresh_from_db()
    assert old.subject == privacy.ERASED
    client.force_login(agent)
    for language, marker in (("en", "[erased]"), ("fi", "[poistettu]")):
        agent.language = language
        agent.save(update_fields=["language"])
        page = client.get(old.get_absolute_url()).text
        assert f"<h1>{marker}</h1>" in page
        listed = client.get(reverse("tickets:queue"), {"view": "all"}).text
        assert f">{marker}</a>" in listed
    assert api_client_for(agent).get(f"/api/v1/tickets/{old.pk}/").json()["subject"] == "[erased]"
