"""The ticket page and the queue without per-call waste (docs/performance.md): the
choice labels by one lookup, the SLA clocks joined, the SLA count's merge index."""

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tickets.models import Attachment, Message, Ticket
from tickets.views import queues

pytestmark = pytest.mark.django_db


def _django_display(obj: Model, field: str) -> str:
    """What Django's generated get_FOO_display would answer."""
    return obj._get_FIELD_display(obj._meta.get_field(field))


@pytest.mark.parametrize("language", ["en", "fi"])
def test_choice_labels_equal_djangos_for_every_value_and_a_stale_one(language):
    cases = [(Ticket, "status"), (Ticket, "priority"), (Ticket, "channel"),
             (Message, "channel"), (Message, "author_type")]
    with translation.override(language):
        for model, field in cases:
            values = [value for value, _ in model._meta.get_field(field).choices]
            for value in [*values, "retired_value"]:
                obj = model(**{field: value})
                ours = getattr(obj, f"get_{field}_display")()
                assert ours == _django_display(obj, field), (model, field, value)
                assert type(ours) is str


def test_ticket_page_reads_the_sla_clocks_with_the_ticket(client, agent, ticket):
    client.force_login(agent)
    assert ticket.sla.first_response_due_at is not None
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("tickets:detail", args=[ticket.pk]))
    assert response.status_code == 200
    sla_queries = [q["sql"] for q in queries if 'FROM "tickets_ticketsla"' in q["sql"]]
    assert sla_queries == [], "the SLA clocks come joined with the ticket"
    # (On PostgreSQL a prepared read is logged as "QUERY = '…' - PARAMS = (…)".)
    assert 'JOIN "tickets_ticketsla"' in next(
        q["sql"] for q in queries if 'SELECT "tickets_ticket"."id", "tickets_ticket"."subject"'
        in q["sql"])
    assert 'id="head-sla"' in response.text  # the page still shows the due time


def test_ticket_page_query_count_is_pinned(client, agent, ticket, django_assert_num_queries):
    client.force_login(agent)
    client.get(reverse("tickets:detail", args=[ticket.pk]))  # the session's first write
    # 20 before the SLA clocks were joined; 13 since the context column comes in its own
    # request (time 2, links 2, other tickets 1, survey scores 1); 12 since the history
    # loads when opened (its events; the names of their agents when there are any); 7
    # since the teams, agents, canned responses, macros and custom fields come from the
    # process's copies (tickets/directory.py, active_fields), read once per version; 6
    # since the agent's teams come from that copy too; 5 since the tags come with the
    # ticket; 4 since the files under messages are read only when a message has any; 3
    # since the session comes from the cache (helpdesk/sessions.py): user, ticket, thread.
    with django_assert_num_queries(3):
        assert client.get(reverse("tickets:detail", args=[ticket.pk])).status_code == 200


def test_the_ticket_context_request_query_count_is_pinned(client, agent, ticket,
                                                          django_assert_num_queries):
    """User, ticket; time 2, links 2, other tickets 1, survey scores 1 (the
    agent's teams from the process's copy, tickets/directory.py)."""
    client.force_login(agent)
    url = reverse("tickets:context", args=[ticket.pk])
    client.get(url)
    with django_assert_num_queries(8):
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200


def test_the_merge_index_holds_what_the_sla_count_reads():
    index = {i.name: i for i in Ticket._meta.indexes}["ticket_unresolved_id_idx"]
    (lookup, values), = index.condition.children
    assert lookup == "status__in" and set(values) == set(Ticket.UNRESOLVED)
    assert index.fields == ["id"]
    # The SLA queue reads the ticket's first response, visibility reads team and assignee.
    assert set(index.include) == {"team", "assignee", "first_response_at"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL plan")
def test_the_sla_count_merges_the_two_id_ordered_indexes(manager):
    tickets = Ticket.objects.filter(queues.queue_conditions(manager, timezone.now())["sla"])
    sql, params = tickets.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        # A handful of test rows: forbid the other joins, scans and sorts so the plan
        # shows whether the merge can be served from the two indexes in order at all.
        for method in ("hashjoin", "nestloop", "sort", "seqscan", "bitmapscan"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
        cursor.execute("EXPLAIN SELECT count(*) FROM (" + sql + ") s", params)  # noqa: S608 - the ORM's SQL
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ticket_unresolved_id_idx" in plan and "sla_running_idx" in plan, plan


def test_the_files_under_messages_cost_one_query_when_there_are_any(
        client, agent, ticket, django_assert_num_queries):
    client.force_login(agent)
    url = reverse("tickets:detail", args=[ticket.pk])
    client.get(url)
    message = ticket.messages.get()
    Attachment.objects.create(message=message, file="x/report.pdf", filename="report.pdf",
                              size=2048)
    Attachment.objects.create(message=message, file="x/logo.png", filename="logo.png",
                              content_id="logo@x", inline=True)
    with django_assert_num_queries(3 + 1):  # the pinned page and the listed files
        page = client.get(url).text
    assert "report.pdf" in page and "logo.png" not in page
