"""Search: ticket numbers and references, tags; on SQLite and on PostgreSQL's full-text path."""

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory
from tickets import search, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent)
    return client


def _ticket(team, subject="Printer on fire", body="Smoke"):
    return services.create_ticket(services.NewTicket(subject=subject, body=body,
                                                     customer=CustomerFactory(), team=team))


def _found(client, q):
    response = client.get(reverse("tickets:search"), {"q": q})
    assert response.status_code == 200
    return {t.pk for t in response.context["page"].object_list}


def test_a_number_finds_the_ticket_with_that_number(signed_in, team):
    tickets = [_ticket(team) for _ in range(3)]
    target = tickets[1]
    assert target.pk in _found(signed_in, str(target.pk))
    assert target.pk in _found(signed_in, f"#{target.pk}")


def test_a_number_also_finds_tickets_mentioning_it(signed_in, team):
    first = _ticket(team)
    mentions = _ticket(team, subject=f"Order {first.pk + 7000} missing")
    assert mentions.pk in _found(signed_in, str(first.pk + 7000))


def test_an_exact_reference_opens_the_ticket(signed_in, team):
    target = _ticket(team)
    response = signed_in.get(reverse("tickets:search"), {"q": target.reference})
    assert response.status_code == 302
    assert response.url == target.get_absolute_url()
    lower = signed_in.get(reverse("tickets:search"), {"q": f"  {target.reference.lower()} "})
    assert lower.url == target.get_absolute_url()


def test_a_reference_to_another_teams_ticket_does_not_open_or_leak(client, agent, other_team):
    hidden = _ticket(other_team)
    client.force_login(agent)
    response = client.get(reverse("tickets:search"), {"q": hidden.reference})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
    assert hidden.subject not in response.text


def test_a_reference_to_a_missing_ticket_lists_nothing(signed_in, team):
    response = signed_in.get(reverse("tickets:search"), {"q": "HD-999999999"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0


def test_huge_numbers_are_not_a_500(signed_in, team):
    _ticket(team)
    assert _found(signed_in, "9" * 40) == set()


def test_tags_are_searchable(signed_in, team, agent):
    tagged = _ticket(team, subject="Something else")
    services.apply_ticket_changes(ticket=tagged, changes={"tags": ["billing", "vip"]},
                                  actor=agent, source="web")
    _ticket(team, subject="Untagged")
    for q in ("billing", "#billing", "tag:billing", "BILLING"):
        assert _found(signed_in, q) == {tagged.pk}, q


def test_text_search_still_finds_subjects_and_messages(signed_in, team):
    printer = _ticket(team, subject="Printer on fire", body="It smells of smoke")
    _ticket(team, subject="Invoice", body="Wrong sum")
    assert _found(signed_in, "printer") == {printer.pk}
    assert _found(signed_in, "smoke") == {printer.pk}


def test_api_q_finds_a_number_and_a_tag(api, team, agent):
    tagged = _ticket(team)
    services.apply_ticket_changes(ticket=tagged, changes={"tags": ["refund"]}, actor=agent,
                                  source="api")
    by_number = api.get("/api/v1/tickets/", {"q": str(tagged.pk)}).json()
    by_tag = api.get("/api/v1/tickets/", {"q": "refund"}).json()
    assert tagged.pk in [t["id"] for t in by_number["results"]]
    assert [t["id"] for t in by_tag["results"]] == [tagged.pk]


def test_ticket_id_in_reads_references_and_numbers(settings):
    assert search.ticket_id_in(f"{settings.HELPDESK_TICKET_PREFIX}-12") == 12
    assert search.ticket_id_in("#12") == 12
    assert search.ticket_id_in("12") == 12
    assert search.ticket_id_in("12 printers") is None
    assert search.ticket_id_in("0") is None

