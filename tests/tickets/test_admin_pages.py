import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpdesk.models import OutboundEmail
from tests.factories import CustomerFactory, MessageFactory, TicketFactory
from tickets.models import Attachment, Tag, TicketEvent

APPS = ("helpdesk", "tickets")
MODELS = [model for model in admin.site._registry if model._meta.app_label in APPS]


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def some_rows(ticket, agent, team):
    """At least one row of every core model, so each list column renders."""
    message = ticket.messages.get()
    Attachment.objects.create(message=message, file="attachments/x.txt", filename="x.txt", size=3)
    Tag.objects.create(name="billing")
    ticket.assignee = agent
    ticket.save(update_fields=["assignee"])
    OutboundEmail.objects.create(kind="test", to="a@example.com", subject="Hi", body_text="x",
                                 message_id="<t1@example.com>", status="failed")
    return ticket


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_changelist_loads_for_an_admin(client, admin_user, some_rows, model):
    client.force_login(admin_user)
    # A one-row setting (the retention policy) opens its single form instead of a list.
    response = client.get(changelist(model), follow=True)
    assert response.status_code == 200
    assert len(response.redirect_chain) <= 1


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_changelist_is_refused_to_an_agent(client, agent, model):
    client.force_login(agent)
    response = client.get(changelist(model))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_admin_ticket_change_page_loads(client, admin_user, some_rows):
    client.force_login(admin_user)
    url = reverse("admin:tickets_ticket_change", args=[some_rows.pk])
    assert client.get(url).status_code == 200


def test_admin_ticket_search_finds_a_reference(client, admin_user, some_rows):
    TicketFactory(subject="Another one")
    client.force_login(admin_user)
    response = client.get(changelist(some_rows.__class__), {"q": some_rows.reference})
    assert list(response.context["cl"].result_list) == [some_rows]


def test_admin_user_add_page_asks_for_email_not_username(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("admin:helpdesk_user_add"))
    assert response.status_code == 200
    assert 'name="email"' in response.text and 'name="username"' not in response.text


def test_admin_event_log_is_read_only(client, admin_user, some_rows):
    client.force_login(admin_user)
    event = TicketEvent.objects.first()
    response = client.post(reverse("admin:tickets_ticketevent_change", args=[event.pk]),
                           {"field": "hacked"})
    event.refresh_from_db()
    assert response.status_code == 403 and event.field != "hacked"


def _queries_for_ticket_list(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(changelist(TicketFactory._meta.model)).status_code == 200
    return len(captured.captured_queries)


def test_admin_ticket_list_query_count_does_not_grow_with_rows(client, admin_user, team, agent):
    client.force_login(admin_user)
    TicketFactory.create_batch(2, team=team, assignee=agent)
    few = _queries_for_ticket_list(client)
    for _ in range(20):
        TicketFactory(team=team, assignee=agent, customer=CustomerFactory())
    assert _queries_for_ticket_list(client) == few


def test_admin_message_list_query_count_does_not_grow_with_rows(client, admin_user, ticket):
    client.force_login(admin_user)
    url = changelist(MessageFactory._meta.model)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    MessageFactory.create_batch(15, ticket=ticket)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_admin_resend_sends_a_copy_of_a_sent_email(client, admin_user, some_rows, mailoutbox,
                                                   django_capture_on_commit_callbacks):
    email = OutboundEmail.objects.get(kind="test")
    OutboundEmail.objects.filter(pk=email.pk).update(status="sent")
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(changelist(OutboundEmail), {"action": "resend", "_selected_action": [email.pk]})
    copy = OutboundEmail.objects.exclude(pk=email.pk).get(kind="test")
    assert copy.status == OutboundEmail.Status.SENT and copy.message_id != email.message_id
    assert [m.subject for m in mailoutbox].count("Hi") == 1


def test_admin_resend_requeues_and_sends_again(client, admin_user, some_rows, mailoutbox,
                                               django_capture_on_commit_callbacks):
    email = OutboundEmail.objects.get(kind="test")
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(changelist(OutboundEmail),
                               {"action": "resend", "_selected_action": [email.pk]})
    assert response.status_code == 302
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert [m.subject for m in mailoutbox].count("Hi") == 1
