"""In-chat rating asks and emailed surveys share one contact budget (chat/contact.py,
surveys/services/budget.py): whichever asks first, the other waits for the window."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat import rating, services
from chat.models import Chat
from surveys.models import Invitation
from surveys.services.budget import may_contact
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def _ended(started, agent, capture):
    chat = started.chat
    with capture(execute=True):
        services.accept_chat(chat=chat, agent=agent)
        services.agent_message(chat=chat, agent=agent, body="Hello, Kalle!")
        return services.end_chat(chat=chat, actor=agent)


def test_a_rating_ask_in_the_widget_uses_the_budget(started, agent,
                                                    django_capture_on_commit_callbacks):
    customer = started.chat.ticket.customer
    assert may_contact(customer)
    chat = _ended(started, agent, django_capture_on_commit_callbacks)
    chat.refresh_from_db()
    assert chat.rating_requested_at is not None  # the widget asked
    assert not may_contact(customer)  # so no email or relationship ask inside the window
    assert may_contact(customer, timezone.now() + timedelta(days=31))


def test_the_widget_does_not_ask_whom_an_email_asked_within_the_window(started):
    chat = started.chat
    ticket = chat.ticket
    other = TicketFactory(customer=ticket.customer, status="closed")
    Invitation.objects.create(ticket=other, customer=ticket.customer, metric="csat",
                              send_after=timezone.now(), sent_at=timezone.now() - timedelta(days=3),
                              status=Invitation.Status.SENT)
    Chat.objects.filter(pk=chat.pk).update(status=Chat.Status.ENDED, ended_at=timezone.now())
    chat.refresh_from_db()
    assert rating.rating_request(chat) is None
    chat.refresh_from_db()
    assert chat.rating_requested_at is None  # nothing asked, nothing counted
