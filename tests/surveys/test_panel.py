from django.test import RequestFactory

from surveys.panels import customer_scores
from tests.factories import TicketFactory

from .conftest import make_response


def as_user(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_panel_lists_the_customers_scores_and_comments(team, customer, manager):
    make_response(team=team, customer=customer, score=2, comment="Too slow")
    make_response(team=team, customer=customer, metric="nps", score=10, comment="Great")
    ticket = TicketFactory(customer=customer, team=team)
    html = customer_scores(as_user(manager), ticket)
    assert "Too slow" in html and "Great" in html and "NPS 10" in html and "CSAT 2" in html


def test_panel_shows_no_other_customers_scores(team, customer, other_customer, manager):
    make_response(team=team, customer=other_customer, comment="Not yours")
    html = customer_scores(as_user(manager), TicketFactory(customer=customer))
    assert "Not yours" not in html and "No survey answers" in html


def test_panel_is_one_query(team, customer, manager, agent, django_assert_num_queries):
    for _ in range(5):
        make_response(team=team, customer=customer)
    ticket = TicketFactory(customer=customer)
    with django_assert_num_queries(1):
        customer_scores(as_user(manager), ticket)
    with django_assert_num_queries(2):  # the agent's teams, then the responses
        customer_scores(as_user(agent), ticket)


def test_panel_hides_other_teams_answers_like_the_responses_api(team, other_team, customer,
                                                                agent, manager):
    """Issue 11 item 9: a team-B ticket's comment must not show beside a team-A ticket."""
    make_response(team=team, customer=customer, comment="Ours was slow")
    make_response(team=other_team, customer=customer, comment="Billing secret")
    ticket = TicketFactory(customer=customer, team=team)
    html = customer_scores(as_user(agent), ticket)
    assert "Ours was slow" in html and "Billing secret" not in html
    assert "Billing secret" in customer_scores(as_user(manager), ticket)


def test_panel_page_hides_other_teams_answers(client, agent, team, other_team, customer):
    make_response(team=other_team, customer=customer, comment="Billing secret")
    ticket = TicketFactory(customer=customer, team=team)
    client.force_login(agent)
    for url in (f"/surveys/tickets/{ticket.pk}/scores/", f"/tickets/{ticket.pk}/"):
        page = client.get(url)
        assert page.status_code == 200 and b"Billing secret" not in page.content


def test_panel_page_permissions(client, agent, other_agent, team, customer):
    make_response(team=team, customer=customer, comment="Too slow")
    ticket = TicketFactory(customer=customer, team=team)
    url = f"/surveys/tickets/{ticket.pk}/scores/"
    assert client.get(url).status_code == 302
    client.force_login(other_agent)
    assert client.get(url).status_code == 404
    client.force_login(agent)
    assert b"Too slow" in client.get(url).content


def test_panel_is_registered_for_the_ticket_page(settings):
    assert "surveys.panels.customer_scores" in settings.HELPDESK_TICKET_SIDE_PANELS
