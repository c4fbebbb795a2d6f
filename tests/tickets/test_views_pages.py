"""Agent workspace pages: who may open them and what they show."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tickets import services
from tickets.models import CannedResponse

PAGES = ["tickets:queue", "tickets:search", "tickets:new", "tickets:canned_list",
         "tickets:canned_new", "tickets:settings"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES)
def test_customer_portal_session_is_not_a_staff_login(client, customer, name):
    session = client.session
    session["portal_customer_id"] = customer.pk  # what a portal magic link leaves behind
    session.save()
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES)
def test_user_without_staff_role_is_refused(client, db, name):
    client.force_login(UserFactory(role=""))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", PAGES)
def test_agent_and_manager_open_every_page(client, agent, manager, name):
    for user in (agent, manager):
        client.force_login(user)
        assert client.get(reverse(name)).status_code == 200


def test_ticket_page_is_404_for_agent_of_another_team(client, other_agent, ticket):
    client.force_login(other_agent)
    assert client.get(ticket.get_absolute_url()).status_code == 404


def test_ticket_page_opens_for_manager_and_team_agent(client, manager, agent, ticket):
    for user in (manager, agent):
        client.force_login(user)
        response = client.get(ticket.get_absolute_url())
        assert response.status_code == 200
        assert "Printer on fire" in response.text


def test_ticket_page_is_login_redirect_for_anonymous(client, ticket):
    response = client.get(ticket.get_absolute_url())
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_ticket_assigned_to_agent_outside_their_team_is_visible(client, other_agent, ticket, agent):
    services.assign_ticket(ticket=ticket, assignee=other_agent, actor=agent)
    client.force_login(other_agent)
    assert client.get(ticket.get_absolute_url()).status_code == 200


def test_ticket_page_shows_notes_distinctly(client, agent, ticket):
    services.reply_to_ticket(ticket=ticket, agent=agent, body="Secret note", public=False)
    client.force_login(agent)
    html = client.get(ticket.get_absolute_url()).text
    assert 'class="msg msg-note"' in html
    assert 'class="msg msg-customer"' in html


def test_email_html_is_rendered_in_a_sandboxed_frame(client, agent, customer, team):
    ticket = services.create_ticket(services.NewTicket(
        subject="Html", body="text", customer=customer, team=team, channel="email",
        email=services.EmailDetails(body_html="<p>Hello <b>there</b></p>")
    ))
    client.force_login(agent)
    html = client.get(ticket.get_absolute_url()).text
    # Its own page in a frame without scripts (docs/security.md, remote images).
    frame = reverse("tickets:message_html", args=[ticket.messages.get().pk])
    assert f'src="{frame}" sandbox="allow-same-origin allow-popups' in html
    assert "Hello <b>there</b>" in client.get(frame).text


def test_canned_responses_are_filled_for_the_ticket(client, agent, ticket):
    CannedResponse.objects.create(title="Hi", body="Hello {{ customer.name }}, re {{ ticket.reference }}")
    client.force_login(agent)
    html = client.get(ticket.get_absolute_url()).text
    assert f"Hello Kalle Customer, re {ticket.reference}" in html


def test_canned_placeholders_do_not_reach_other_attributes(client, agent, ticket):
    CannedResponse.objects.create(title="Bad", body="{{ ticket.customer.email }} {{ settings.SECRET_KEY }}")
    client.force_login(agent)
    html = client.get(ticket.get_absolute_url()).text
    assert "{{ settings.SECRET_KEY }}" in html


def test_customers_other_tickets_are_listed(client, agent, ticket, customer, team):
    other = services.create_ticket(services.NewTicket(
        subject="Second problem", body="b", customer=customer, team=team
    ))
    client.force_login(agent)
    context_url = reverse("tickets:context", args=[ticket.pk])
    page = client.get(ticket.get_absolute_url()).text
    # The page asks for its context column once it shows, and links it without JavaScript.
    assert f'hx-get="{context_url}" hx-trigger="load"' in page
    assert f'<noscript><p><a href="{context_url}">' in page
    assert other.reference not in page
    column = client.get(context_url, headers={"HX-Request": "true"}).text
    assert other.reference in column and "<html" not in column and 'id="time-panel"' in column
    whole = client.get(context_url).text  # without JavaScript: a page of its own
    assert other.reference in whole and "<html" in whole and ticket.get_absolute_url() in whole


@pytest.mark.parametrize("part", ["tickets:context", "tickets:history"])
def test_the_page_parts_are_refused_to_who_may_not_see_the_ticket(
        client, other_agent, analyst, ticket, part):
    """The context column and the history, loaded after the page, ask what the page asks."""
    url = reverse(part, args=[ticket.pk])
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(other_agent)  # another team's ticket: as if it did not exist
    assert client.get(url).status_code == 404
    client.force_login(analyst)
    assert client.get(url).status_code == client.get(ticket.get_absolute_url()).status_code != 200


def test_broken_side_panel_is_skipped(client, agent, ticket, settings):
    settings.HELPDESK_TICKET_SIDE_PANELS = ["no.such.module.panel", "tests.tickets.test_views_pages.panel"]
    client.force_login(agent)
    html = client.get(reverse("tickets:context", args=[ticket.pk])).text
    assert "<b>panel for " in html


def panel(request, ticket):
    from django.utils.html import format_html

    return format_html("<b>panel for {}</b>", ticket.reference)


def _page_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_ticket_page_query_count_does_not_grow_with_thread(client, agent, team_lead, ticket, customer, team):
    client.force_login(agent)
    url = ticket.get_absolute_url()
    services.assign_ticket(ticket=ticket, assignee=team_lead, actor=agent)  # history names one agent
    # ... and an SLA policy (names are read per kind of object, never per event)
    services.change_priority(ticket=ticket, priority="urgent", actor=agent)
    client.get(url)  # warm the session
    before = _page_queries(client, url)
    for i in range(10):
        services.reply_to_ticket(ticket=ticket, agent=agent if i % 2 else team_lead, body=f"reply {i}",
                                 public=bool(i % 3))
        services.change_priority(ticket=ticket, priority=["high", "low"][i % 2], actor=agent)
        services.create_ticket(services.NewTicket(
            subject=f"other {i}", body="b", customer=customer, team=team
        ))
        CannedResponse.objects.create(title=f"c{i}", body="Hi {{ customer.name }}")
    services.assign_ticket(ticket=ticket, assignee=agent, actor=team_lead)
    client.get(url)  # the new canned responses are read into the copy once
    assert _page_queries(client, url) == before


def test_a_panel_loading_after_the_session_ended_sends_the_whole_page_to_sign_in(client, ticket):
    """htmx would swap the sign-in form into the column; the page goes to sign-in instead
    and comes back to the ticket afterwards."""
    page = f"http://testserver{ticket.get_absolute_url()}"
    response = client.get(reverse("tickets:context", args=[ticket.pk]),
                          headers={"HX-Request": "true", "HX-Current-URL": page})
    assert response.status_code == 200 and not response.content
    assert response["HX-Redirect"] == f"{reverse('login')}?next={ticket.get_absolute_url()}"
    plain = client.get(reverse("tickets:context", args=[ticket.pk]))  # a plain request
    assert plain.status_code == 302 and plain.url.startswith(reverse("login"))


def test_the_side_panel_shows_the_tickets_tags_by_name_and_follows_a_change(client, agent,
                                                                             ticket):
    """The page reads the tags with the ticket (``tag_list``); the panel's answer to a
    change reads them afresh."""
    services.set_tags(ticket=ticket, tags=["vip", "billing", "äänitys"], actor=agent)
    in_order = ", ".join(t.name for t in ticket.tags.all())  # the database's collation
    assert sorted(in_order.split(", ")) == ["billing", "vip", "äänitys"]
    client.force_login(agent)
    assert f'name="tags" value="{in_order}"' in client.get(ticket.get_absolute_url()).text
    response = client.post(reverse("tickets:properties", args=[ticket.pk]),
                           {"status": ticket.status, "priority": ticket.priority,
                            "team": ticket.team_id, "assignee": "", "tags": "refund"},
                           headers={"HX-Request": "true"})
    assert 'name="tags" value="refund"' in response.text
    assert 'name="tags" value="refund"' in client.get(ticket.get_absolute_url()).text
    services.set_tags(ticket=ticket, tags=[], actor=agent)
    assert 'name="tags" value=""' in client.get(ticket.get_absolute_url()).text
