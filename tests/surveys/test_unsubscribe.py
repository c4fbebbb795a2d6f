import re

from surveys.models import Invitation
from tickets.models import Customer

from .conftest import survey_emails


def _unsubscribe_path():
    url = survey_emails()[0].headers["List-Unsubscribe"].strip("<>")
    return "/" + url.split("/", 3)[3]


def test_unsubscribe_get_shows_a_confirm_button_and_changes_nothing(sent_invitation, client,
                                                                    customer):
    page = client.get(_unsubscribe_path())
    assert page.status_code == 200 and b'<form method="post"' in page.content
    customer.refresh_from_db()
    assert not customer.survey_opt_out


def test_one_click_post_opts_out_without_cookies(sent_invitation, customer):
    from django.test import Client

    mail_client = Client(enforce_csrf_checks=True)
    page = mail_client.post(_unsubscribe_path(), {"List-Unsubscribe": "One-Click"})
    assert page.status_code == 200
    customer.refresh_from_db()
    assert customer.survey_opt_out


def test_unsubscribe_cancels_scheduled_invitations(sent_invitation, customer, team, close,
                                                   client):
    from datetime import timedelta

    from django.utils import timezone

    from tickets import services

    # The first survey went out before the contact window, so the second may be scheduled.
    Invitation.objects.filter(pk=sent_invitation.pk).update(
        sent_at=timezone.now() - timedelta(days=31))
    second = services.create_ticket(services.NewTicket(
        subject="Again", body="x", customer=customer, team=team
    ))
    close(second)
    client.post(_unsubscribe_path())
    invitation = Invitation.objects.get(ticket=second)
    assert (invitation.status, invitation.skip_reason) == ("skipped", "opted_out")


def test_tampered_unsubscribe_token_is_refused(sent_invitation, client, customer):
    path = re.sub(r"/unsubscribe/(\d+):", "/unsubscribe/999:", _unsubscribe_path())
    assert client.post(path).status_code == 404
    assert not Customer.objects.get(pk=customer.pk).survey_opt_out


def test_unsubscribe_page_in_finnish(sent_invitation, client, customer):
    customer.language = "fi"
    customer.save(update_fields=["language"])
    assert '<html lang="fi">' in client.get(_unsubscribe_path()).content.decode()
