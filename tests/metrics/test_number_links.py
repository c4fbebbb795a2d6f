"""Every number on the dashboard opens exactly the tickets or responses behind it: the
list it links to counts the number that was clicked (tiles and every table cell kind)."""

from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory, TeamFactory, UserFactory
from tickets.models import TicketSLA

from .conftest import END, INSIDE, START, make_response, make_ticket

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("metrics:dashboard") + "?from=2026-06-01&to=2026-06-07"
BEFORE, AFTER = START - timedelta(days=3), END + timedelta(days=1)


def sla(ticket, *, first_due=None, first_breached=False, resolution_due=None,
        resolution_breached=False, first_seconds=None, resolution_seconds=None):
    TicketSLA.objects.create(ticket=ticket, first_response_due_at=first_due,
                             first_response_breached=first_breached,
                             resolution_due_at=resolution_due,
                             resolution_breached=resolution_breached,
                             first_response_business_seconds=first_seconds,
                             resolution_business_seconds=resolution_seconds)


@pytest.fixture
def figures(db):
    """Tickets of two teams, three channels and two agents (and nobody), inside and outside
    the period, with spam and a merged ticket that no figure may count."""
    red, blue = TeamFactory(name="Red"), TeamFactory(name="Blue")
    ann, bob = UserFactory(name="Ann"), UserFactory(name="Bob")
    customer = CustomerFactory()
    solved = {"status": "solved", "solved_at": INSIDE + timedelta(hours=5)}
    made = [
        # solved at first contact, both SLA targets met
        make_ticket(team=red, assignee=ann, channel="email", first_response_at=INSIDE
                    + timedelta(hours=1), public_reply_count=1, **solved),
        # solved after a reopen, resolution target breached
        make_ticket(team=red, assignee=bob, channel="web", first_response_at=INSIDE
                    + timedelta(hours=2), public_reply_count=2, reopen_count=1, **solved),
        # created before the period, answered and solved in it
        make_ticket(team=blue, assignee=ann, channel="chat", created_at=BEFORE,
                    first_response_at=INSIDE, public_reply_count=1, **solved),
        # closed after being solved in the period
        make_ticket(team=blue, assignee=None, channel="email", first_response_at=INSIDE,
                    public_reply_count=3, status="closed", solved_at=INSIDE
                    + timedelta(days=1), closed_at=INSIDE + timedelta(days=2)),
        # open: the backlog
        make_ticket(team=red, assignee=None, channel="web", status="new"),
        make_ticket(team=blue, assignee=bob, channel="email", status="open",
                    first_response_at=INSIDE + timedelta(minutes=30), public_reply_count=1),
        make_ticket(team=blue, assignee=ann, channel="chat", status="pending",
                    created_at=BEFORE),
        # after the period: in no figure of it (not even the backlog)
        make_ticket(team=red, assignee=ann, channel="email", status="new", created_at=AFTER),
    ]
    sla(made[0], first_due=INSIDE + timedelta(hours=4), resolution_due=AFTER,
        first_seconds=3600, resolution_seconds=18000)
    sla(made[1], first_due=INSIDE + timedelta(hours=4), resolution_due=INSIDE,
        resolution_breached=True, first_seconds=7200, resolution_seconds=18000)
    sla(made[2], first_due=INSIDE - timedelta(hours=1), first_breached=True, first_seconds=900)
    sla(made[3], first_seconds=600, resolution_seconds=86400)  # timed, without targets
    sla(made[5], first_due=INSIDE + timedelta(hours=1))
    # Spam and a merged ticket look like the others but count nowhere.
    make_ticket(team=red, assignee=ann, channel="email", is_spam=True,
                first_response_at=INSIDE, public_reply_count=1, **solved)
    make_ticket(team=red, assignee=ann, channel="web", merged_into=made[0], status="closed",
                solved_at=INSIDE, closed_at=INSIDE)
    for ticket, metric, score in ((made[0], "nps", 9), (made[1], "nps", 3),
                                  (made[2], "csat", 4), (made[3], "ces", 6),
                                  (made[3], "nps", 10)):
        make_response(metric, score, ticket=ticket, agent=ticket.assignee, team=ticket.team)
    make_response("nps", 8, ticket=made[0], agent=ann, team=red, created_at=BEFORE)
    return {"customer": customer}


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def listed(client, url: str) -> int:
    """How many rows the linked list says it holds."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


# The number each tile shows as its count: the value for counts, n for shares and scores.
TILE_COUNT = {"created": "value", "solved": "value", "backlog": "value",
              "first_response": "n", "resolution": "n", "fcr": "n", "reopen": "n",
              "nps": "n", "csat": "n", "csat_mean": "n", "ces": "n"}


def test_every_tile_opens_the_rows_it_counts(figures, manager_client):
    tiles = {tile.key: tile for tile in manager_client.get(DASHBOARD).context["tiles"]}
    seen = {}
    for key, attribute in TILE_COUNT.items():
        tile = tiles[key]
        seen[key] = (getattr(tile, attribute), listed(manager_client, tile.link))
    assert {key: shown for key, (shown, _) in seen.items()} == {
        "created": 5, "solved": 4, "backlog": 3, "first_response": 4, "resolution": 2,
        "fcr": 4, "reopen": 4, "nps": 3, "csat": 1, "csat_mean": 1, "ces": 1}
    assert {key: listed_n for key, (_, listed_n) in seen.items()} == {
        key: shown for key, (shown, _) in seen.items()}


def test_no_ticket_tile_links_to_my_open_tickets(figures, manager_client):
    """The issue: the tiles opened "/?created_after=…", which showed "My open tickets – 0"."""
    for tile in manager_client.get(DASHBOARD).context["tiles"]:
        if tile.link.startswith(reverse("tickets:queue") + "?"):
            response = manager_client.get(tile.link)
            assert response.context["view"] == "all", tile.key
            assert parse_qs(urlsplit(tile.link).query)["counted"] == ["1"]


# Table cell → the row's figure it must equal.
CELLS = {
    "created": lambda row: row["tickets_created"],
    "solved": lambda row: row["tickets_solved"],
    "first_response": lambda row: row["first_response"]["with_target"],
    "resolution": lambda row: row["resolution"]["with_target"],
    "fcr": lambda row: row["tickets_solved"],  # a share opens what it is a share of
    "reopened": lambda row: row["tickets_solved"],
    # a median or p90 opens the tickets it is taken over (those with a measured time)
    "first_response_time": lambda row: row["first_response"]["n"],
    "resolution_time": lambda row: row["resolution"]["n"],
}
RESPONSE_CELLS = {"nps": "nps", "csat": "csat", "ces": "ces"}


def test_every_table_cell_opens_the_rows_it_counts(figures, manager_client):
    tables = manager_client.get(DASHBOARD).context["tables"]
    assert [t["by"] for t in tables] == ["channel", "agent", "team"]
    checked = 0
    for table in tables:
        assert table["rows"], table["by"]
        for row in table["rows"]:
            for cell, figure in CELLS.items():
                link = row["links"]["solved" if cell in ("fcr", "reopened") else cell]
                assert listed(manager_client, link) == figure(row), (table["by"], row["label"],
                                                                     cell)
                checked += 1
            for cell, metric in RESPONSE_CELLS.items():
                assert listed(manager_client, row["links"][cell]) == row[metric]["n"], (
                    table["by"], row["label"], cell)
                checked += 1
    assert checked > 80


def test_the_timed_figures_are_not_all_empty(figures, manager_client):
    """The fixture gives the medians something to count (else their check proves little)."""
    tables = manager_client.get(DASHBOARD).context["tables"]
    team = next(t for t in tables if t["by"] == "team")
    assert {row["label"]: (row["first_response"]["n"], row["resolution"]["n"])
            for row in team["rows"]} == {"Red": (2, 2), "Blue": (2, 1)}


class _Cells(HTMLParser):
    """(row heading, cell text, the cell's link targets) of every body cell of the tables
    with a class."""

    def __init__(self, table_class: str):
        super().__init__()
        self.table_class, self.depth, self.in_body = table_class, 0, False
        self.row_heading, self.cell, self.cells = "", None, []
        self.in_th = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and self.table_class in (attrs.get("class") or "").split():
            self.depth = 1
        elif tag == "table" and self.depth:
            self.depth += 1
        if not self.depth:
            return
        if tag == "tbody":
            self.in_body = True
        elif tag == "tr":
            self.row_heading = ""
        elif tag == "th" and self.in_body:
            self.in_th = True
        elif tag == "td" and self.in_body:
            self.cell = {"text": "", "links": [], "colspan": "colspan" in attrs}
        elif tag == "a" and self.cell is not None:
            self.cell["links"].append(attrs.get("href") or "")

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "table":
            self.depth -= 1
        elif tag == "tbody":
            self.in_body = False
        elif tag == "th":
            self.in_th = False
        elif tag == "td" and self.cell is not None:
            self.cells.append((self.row_heading.strip(), self.cell["text"].strip(),
                               self.cell["links"], self.cell["colspan"]))
            self.cell = None

    def handle_data(self, data):
        if self.in_th:
            self.row_heading += data
        elif self.cell is not None:
            self.cell["text"] += data


def numbers_without_a_link(html: str, table_class: str) -> list[str]:
    """The data cells of the tables with ``table_class`` that show a number but open
    nothing (no link, or a link to "")."""
    parser = _Cells(table_class)
    parser.feed(html)
    assert parser.cells, table_class
    return [f"{heading}: {text}" for heading, text, links, colspan in parser.cells
            if any(c.isdigit() for c in text) and not colspan and not any(links)]


def test_the_rendered_cells_carry_the_links(figures, manager_client):
    html = manager_client.get(DASHBOARD).content.decode()
    for cell in ("created", "solved", "first_response", "resolution", "fcr", "reopened",
                 "nps_n", "csat_n", "ces_n", "csat_mean", "first_response_time",
                 "resolution_time"):
        assert f'data-cell="{cell}"' in html, cell
    # every number of the three tables opens something, the unassigned row's scores too
    assert numbers_without_a_link(html, "metrics-table") == []


def test_unassigned_rows_scores_open_the_responses_of_unassigned_tickets(figures,
                                                                        manager_client):
    agents = next(t for t in manager_client.get(DASHBOARD).context["tables"]
                  if t["by"] == "agent")
    nobody = next(row for row in agents["rows"] if row["key"] is None)
    page = manager_client.get(nobody["links"]["nps"])
    assert [r.agent_id for r in page.context["page"]] == [None] == [None] * nobody["nps"]["n"]
    assert "Responses about tickets nobody was assigned." in page.content.decode()
    # the CSV of that list keeps the filter
    assert "agent=none" in page.content.decode()


def test_unassigned_row_of_the_agent_table_lists_unassigned_tickets(figures, manager_client):
    agents = next(t for t in manager_client.get(DASHBOARD).context["tables"]
                  if t["by"] == "agent")
    nobody = next(row for row in agents["rows"] if row["key"] is None)
    assert "assignee=none" in nobody["links"]["created"]
    assert listed(manager_client, nobody["links"]["created"]) == nobody["tickets_created"] == 2


def test_queue_accepts_the_figure_filters_and_ignores_malformed_ones(figures, manager_client):
    base = reverse("tickets:queue") + "?view=all&counted=1"
    assert listed(manager_client, base + "&solved_after=2026-06-01&solved_before=2026-06-08"
                  "&fcr=1") == 2
    assert listed(manager_client, base + "&reopened=1") == 1
    assert listed(manager_client, base + "&breached=resolution") == 1
    assert listed(manager_client, base + "&breached=first_response") == 1
    assert listed(manager_client, base + "&status=new,open,pending") == 4
    # A malformed date is ignored, never a 500.
    assert listed(manager_client, base + "&created_after=2026-02-30&created_before=nonsense") \
        == listed(manager_client, base)


def test_a_filtered_link_without_a_view_lists_all_matching_tickets(figures, manager_client):
    response = manager_client.get(reverse("tickets:queue") + "?created_after=2026-06-01")
    assert response.context["view"] == "all"
    assert response.context["page"].paginator.count > 0


def test_a_list_opened_from_a_tile_says_which_filters_it_has_and_keeps_them(figures,
                                                                            manager_client):
    tiles = {tile.key: tile for tile in manager_client.get(DASHBOARD).context["tiles"]}
    response = manager_client.get(tiles["backlog"].link)
    html = response.content.decode()
    assert "data-figure-filters" in html and "no spam or merged tickets" in html
    # changing a dropdown keeps the dashboard's filters (hidden inputs), and the several
    # statuses of the backlog are a choice of the status dropdown
    assert '<input type="hidden" name="counted" value="1">' in html
    assert '<option value="new,open,pending,on_hold" selected' in html
    resolution = manager_client.get(tiles["resolution"].link).content.decode()
    assert "solved 06/01/2026–06/07/2026 · with a resolution target" in resolution


def test_the_agents_own_dashboard_opens_their_tickets_and_their_teams(figures, client):
    from helpdesk.models import User
    from tickets.models import TeamMembership

    ann = User.objects.get(name="Ann")
    red = ann.assigned_tickets.first().team
    TeamMembership.objects.create(team=red, user=ann)
    client.force_login(ann)
    page = client.get(reverse("metrics:agent_dashboard") + "?from=2026-06-01&to=2026-06-07")
    mine, team = page.context["mine"], page.context["team_summary"]
    links, team_links = page.context["my_links"], page.context["team_links"]
    assert listed(client, links["solved"]) == mine["tickets_solved"] == 2
    assert listed(client, links["first_response"]) == mine["first_response"]["with_target"]
    assert listed(client, links["resolution"]) == mine["resolution"]["with_target"]
    assert listed(client, team_links["solved"]) == team["tickets_solved"]
    html = page.content.decode()
    assert 'data-cell="my_solved"' in html
    assert listed(client, links["first_response_time"]) == mine["first_response"]["n"] == 2
    assert listed(client, links["resolution_time"]) == mine["resolution"]["n"] == 1
    responses = page.context["my_response_links"], page.context["team_response_links"]
    assert [listed(client, r["nps"]) for r in responses] == [mine["nps"]["n"],
                                                              team["nps"]["n"]] == [1, 2]
    assert numbers_without_a_link(html, "compare") == []
