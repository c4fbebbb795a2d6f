"""Public custom fields on the customer's web form."""

from django.urls import reverse

from tickets.models import Ticket
from tickets.services.custom_fields import values_of

from .custom_field_fixtures import *  # noqa: F403


def _form(**extra):
    return {"name": "Kalle", "email": "kalle@example.com", "subject": "Printer",
            "message": "It jams.", **extra}


def test_only_public_fields_are_on_the_web_form(client, team, all_fields):
    all_fields["product"].public = True
    all_fields["product"].save()
    html = client.get(reverse("portal:new")).content.decode()
    assert 'name="field_product"' in html and "Printer" in html
    assert 'name="field_hours"' not in html


def test_a_public_value_reaches_the_new_ticket(client, team, product_field,
                                               django_capture_on_commit_callbacks):
    product_field.public = True
    product_field.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:new"), _form(field_product="scanner"))
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert values_of(ticket.pk) == {product_field.pk: ["scanner"]}
    assert ticket.events.filter(field="field.product", new_value="scanner").exists()


def test_a_wrong_value_is_an_inline_error_keeping_what_was_typed(client, team, all_fields):
    all_fields["hours"].public = True
    all_fields["hours"].save()
    response = client.post(reverse("portal:new"), _form(field_hours="lots"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hours: Enter a number." in html
    assert 'value="lots"' in html and "It jams." in html
    assert not Ticket.objects.exists()
