"""Custom fields on the pages: the admins' page, the side panel, the queue's filters."""

import pytest
from django.urls import reverse

from tests.conftest import api_client_for
from tickets.models import CustomField, SavedFilter
from tickets.services import NewTicket, apply_ticket_changes, create_ticket
from tickets.services.custom_fields import values_of

from .custom_field_fixtures import *  # noqa: F403

HTMX = {"HTTP_HX_REQUEST": "true"}


# -- the admins' page and API: role matrix ------------------------------------------------

@pytest.mark.parametrize(("persona", "status"), [
    ("agent", 403), ("team_lead", 403), ("manager", 403), ("admin_user", 200)])
def test_only_admins_open_the_field_page(client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("tickets:field_list")).status_code == status
    assert client.get(reverse("tickets:field_new")).status_code == status


def test_an_admin_defines_a_dropdown_with_labels_in_both_languages(client, admin_user, team):
    client.force_login(admin_user)
    response = client.post(reverse("tickets:field_new"), {
        "key": "product", "type": "dropdown", "label_en": "Product", "label_fi": "Tuote",
        "options_text": "printer | Printer | Tulostin\nscanner | Scanner | Skanneri",
        "channels": ["email"], "teams": [team.pk], "required_on_solve": "on", "active": "on",
        "position": 1})
    assert response.status_code == 302
    field = CustomField.objects.get(key="product")
    assert field.options[1] == {"key": "scanner", "en": "Scanner", "fi": "Skanneri"}
    assert field.channels == ["email"] and list(field.teams.all()) == [team]


def test_a_dropdown_without_options_is_an_inline_error_keeping_the_input(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("tickets:field_new"), {
        "key": "product", "type": "dropdown", "label_en": "Product typed",
        "label_fi": "Tuote", "options_text": "", "position": 0})
    assert response.status_code == 400
    assert "Add at least one option" in response.content.decode()
    assert 'value="Product typed"' in response.content.decode()
    assert not CustomField.objects.exists()


@pytest.mark.parametrize(("persona", "read", "write"), [
    ("agent", 200, 403), ("manager", 200, 403), ("admin_user", 200, 201)])
def test_the_definitions_api_by_role(request, persona, read, write):
    api = api_client_for(request.getfixturevalue(persona))
    assert api.get("/api/v1/custom-fields/").status_code == read
    response = api.post("/api/v1/custom-fields/", {
        "key": "severity", "type": "dropdown", "label_en": "Severity", "label_fi": "Vakavuus",
        "options": [{"key": "s1", "en": "Critical", "fi": "Kriittinen"}]}, format="json")
    assert response.status_code == write


def test_the_definitions_api_names_bad_options(admin_user):
    api = api_client_for(admin_user)
    response = api.post("/api/v1/custom-fields/", {
        "key": "severity", "type": "dropdown", "label_en": "Severity", "label_fi": "Vakavuus",
        "options": []}, format="json")
    assert response.status_code == 400 and "options" in response.json()


# -- the side panel -----------------------------------------------------------------------

def test_the_side_panel_shows_and_saves_fields(client, agent, ticket, all_fields):
    client.force_login(agent)
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert 'name="field_product"' in page and "Printer" in page
    response = client.post(reverse("tickets:properties", args=[ticket.pk]), {
        "status": ticket.status, "custom_fields": "1", "field_product": "scanner",
        "field_areas": ["ui", "billing"], "field_hours": "2,5", "field_warranty": "true"},
        **HTMX)
    assert response.status_code == 200 and "Saved." in response.content.decode()
    assert values_of(ticket.pk) == {all_fields["product"].pk: ["scanner"],
                                    all_fields["areas"].pk: ["billing", "ui"],
                                    all_fields["hours"].pk: ["2.5"],
                                    all_fields["warranty"].pk: ["true"]}


def test_a_wrong_value_in_the_side_panel_is_named_and_kept(client, agent, ticket, all_fields):
    client.force_login(agent)
    response = client.post(reverse("tickets:properties", args=[ticket.pk]), {
        "status": ticket.status, "custom_fields": "1", "field_hours": "two and a half",
        "field_serial": "typed serial"}, **HTMX)
    html = response.content.decode()
    assert "Hours: Enter a number." in html
    assert 'value="two and a half"' in html and 'value="typed serial"' in html
    assert values_of(ticket.pk) == {}


def test_solving_in_the_side_panel_without_a_required_field_names_it(client, agent, ticket,
                                                                    product_field):
    product_field.required_on_solve = True
    product_field.save()
    client.force_login(agent)
    response = client.post(reverse("tickets:properties", args=[ticket.pk]), {
        "status": "solved", "custom_fields": "1", "field_product": ""}, **HTMX)
    assert "Fill in “Product” before solving the ticket." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status != "solved"


def test_the_side_panel_shows_finnish_labels(client, agent, ticket, product_field):
    agent.language = "fi"
    agent.save()
    client.force_login(agent)
    page = client.get(reverse("tickets:detail", args=[ticket.pk]),
                      HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "Tuote" in page and "Tulostin" in page


def test_another_teams_agent_cannot_set_fields(client, other_agent, ticket, product_field):
    client.force_login(other_agent)
    response = client.post(reverse("tickets:properties", args=[ticket.pk]), {
        "custom_fields": "1", "field_product": "printer"}, **HTMX)
    assert response.status_code == 404
    assert values_of(ticket.pk) == {}


# -- the queue ----------------------------------------------------------------------------

def test_the_queue_filters_by_a_dropdown_and_saves_the_filter(client, agent, ticket, customer,
                                                             team, product_field):
    other = create_ticket(NewTicket(subject="Scanner jam", body="x", customer=customer, team=team))
    apply_ticket_changes(ticket=ticket, changes={"fields": {"product": "printer"}},
                         actor=None, source="test")
    client.force_login(agent)
    page = client.get(reverse("tickets:queue"), {"view": "all", "field_product": "printer"})
    html = page.content.decode()
    assert ticket.subject in html and other.subject not in html
    assert 'name="field_product"' in html
    client.post(reverse("tickets:save_filter"), {"name": "Printers",
                                                  "query": "view=all&field_product=printer"})
    saved = SavedFilter.objects.get(user=agent)
    html = client.get(f"{reverse('tickets:queue')}?{saved.query}").content.decode()
    assert ticket.subject in html and other.subject not in html


def test_the_queue_ignores_a_malformed_field_filter(client, agent, ticket, product_field):
    client.force_login(agent)
    response = client.get(reverse("tickets:queue"), {"view": "all", "field_product": "nope"})
    assert response.status_code == 200


def test_numbers_show_the_finnish_decimal_comma(client, agent, ticket, all_fields):
    apply_ticket_changes(ticket=ticket, changes={"fields": {"hours": "1.5"}}, actor=None,
                         source="test")
    client.force_login(agent)
    client.post(reverse("tickets:set_language"), {"language": "fi", "next": "/"})
    html = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert 'name="field_hours" value="1,5"' in html
