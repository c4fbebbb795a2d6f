"""The ticket page answers in a fixed number of queries however many messages and
files the thread holds (docs/replies.md)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tickets.services.compose import send_reply
from tickets.services.side import forward_ticket

from .conftest import PNG, upload


def _grow(ticket, agent, n):
    for i in range(n):
        send_reply(ticket=ticket, agent=agent, body=f"**Reply {i}** ![p](cid:p{i}.png)",
                   public=i % 2 == 0, cc="boss@example.com",
                   files=[upload(f"log{i}.txt"), upload(f"p{i}.png", PNG, "image/png")])


def _count(client, ticket) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("tickets:detail", args=[ticket.pk]))
    assert response.status_code == 200
    return len(queries)


def test_ticket_page_queries_do_not_grow_with_messages_and_files(client, agent, ticket,
                                                                 django_assert_max_num_queries):
    client.force_login(agent)
    _grow(ticket, agent, 1)
    _count(client, ticket)  # reads the teams, agents, macros… into the process's copy
    one = _count(client, ticket)
    _grow(ticket, agent, 19)
    forward_ticket(ticket=ticket, agent=agent, to="vendor@supplier.test")
    assert ticket.messages.count() == 22
    twenty = _count(client, ticket)
    print(f"ticket page: {one} queries with 1 reply, {twenty} with 20 replies, 40 files, a forward")
    assert twenty == one
    with django_assert_max_num_queries(one):
        page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert page.count("log") >= 20
