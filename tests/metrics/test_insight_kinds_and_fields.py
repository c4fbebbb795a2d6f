"""Drivers and themes per survey kind (never mixed), and custom dropdown / checkbox fields
as driver factors: every figure equals a recomputation from the raw rows, the query count
does not grow with the number of fields."""

import csv
import io
import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from metrics.fast import read
from metrics.fast.refresh import refresh_rollups
from metrics.filters import MetricFilters
from metrics.insights import drivers
from metrics.insights.themes import fitting
from metrics.insights.themes.report import themes_report
from metrics.models import DriverCounts, ResponseFacts
from surveys.models import SCALES, Kind, Response
from tests.conftest import api_client_for
from tests.factories import CustomerFactory, OrganizationFactory, TeamFactory
from tickets.models import CustomField, Ticket, TicketFieldValue
from tickets.services.changes import apply_ticket_changes
from tickets.services.field_bulk import set_field_on_tickets

from .conftest import END, INSIDE, START, make_response, make_ticket

pytestmark = pytest.mark.django_db

PERIOD = "from=2026-06-01&to=2026-06-07"
TIERS = ("free", "premium", "enterprise")


def _relationship(metric: str, score: int, tier: str, comment: str = "", minutes: int = 0):
    """A relationship answer: no ticket, channel, agent or team (docs/relationship-surveys.md)."""
    organization = OrganizationFactory(tier=tier)
    low, high = SCALES[metric]
    return Response.objects.create(
        metric=metric, kind=Kind.RELATIONSHIP, score=score, scale_min=low, scale_max=high,
        customer=CustomerFactory(organization=organization), organization=organization,
        organization_tier=tier, channel="", comment=comment,
        created_at=INSIDE + timedelta(minutes=minutes))


def _both_kinds(seed: int = 3):
    """Transactional answers of every tier that score high, relationship answers that
    score low: a mix would move every figure."""
    rng = random.Random(seed)
    for i in range(90):
        tier = TIERS[i % 3]
        customer = CustomerFactory(organization=OrganizationFactory(tier=tier))
        ticket = make_ticket(customer=customer, reopen_count=i % 2, public_reply_count=1 + i % 3)
        make_response("nps", rng.choice([7, 9, 10, 10]), ticket=ticket, organization_tier=tier,
                      created_at=INSIDE + timedelta(minutes=i))
    for i in range(75):
        _relationship("nps", rng.choice([0, 3, 6, 8, 9]), TIERS[i % 3], minutes=i)


def _nps(scores):
    return 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)


def assert_csat_levels(got, expected, all_scores):
    """Each level's n, CSAT, rest and difference equal a recomputation from raw scores."""
    def csat(xs):
        return 100 * sum(s >= 4 for s in xs) / len(xs)

    for key, scores in expected.items():
        rest = list(all_scores)
        for s in scores:
            rest.remove(s)
        assert got[key]["n"] == len(scores), key
        assert got[key]["score"] == pytest.approx(round(csat(scores), 1)), key
        assert got[key]["rest_n"] == len(rest), key
        assert got[key]["difference"] == pytest.approx(round(csat(scores) - csat(rest), 1)), key


@pytest.mark.parametrize("source", ["live", "facts"])
@pytest.mark.parametrize("kind", [Kind.TRANSACTIONAL, Kind.RELATIONSHIP])
def test_drivers_of_a_kind_equal_a_recomputation_from_that_kinds_answers(kind, source, settings):
    settings.HELPDESK_MIN_RESPONSES = 5
    _both_kinds()
    if source == "facts":
        refresh_rollups(since=START.date() - timedelta(days=1), until=END.date(),
                        everything_before=True)
    result = drivers.key_drivers(MetricFilters(START, END), "nps", kind=kind)
    raw = list(Response.objects.filter(kind=kind, metric="nps").values("score", "organization_tier"))
    assert result["kind"] == kind and result["n"] == len(raw) == (90 if kind == "transactional" else 75)
    assert result["score"] == pytest.approx(round(_nps([r["score"] for r in raw]), 1))
    tiers = {d["level"]: d for d in result["drivers"] if d["factor"] == "tier"}
    for tier in TIERS:
        at = [r["score"] for r in raw if r["organization_tier"] == tier]
        rest = [r["score"] for r in raw if r["organization_tier"] != tier]
        assert tiers[tier]["n"] == len(at)
        assert tiers[tier]["score"] == pytest.approx(round(_nps(at), 1))
        assert tiers[tier]["difference"] == pytest.approx(round(_nps(at) - _nps(rest), 1))
    factors = {d["factor"] for d in result["drivers"]}
    if kind == Kind.RELATIONSHIP:  # no ticket: the tier is its only factor
        assert factors == {"tier"}
    else:
        reopened = {d["level"]: d["n"] for d in result["drivers"] if d["factor"] == "reopened"}
        assert reopened == {"yes": 45, "no": 45}


def test_drivers_default_to_transactional_answers_only(settings, manager):
    settings.HELPDESK_MIN_RESPONSES = 5
    _both_kinds()
    default = drivers.key_drivers(MetricFilters(START, END), "nps")
    assert default["kind"] == "transactional" and default["n"] == 90
    body = api_client_for(manager).get(f"/api/v1/metrics/drivers/?metric=nps&{PERIOD}").json()
    assert body["kind"] == "transactional" and body["n"] == 90


@pytest.mark.parametrize("query, field", [
    ("metric=nps&kind=both", "kind"), ("metric=nps&kind=", None),
    ("metric=nps&kind=relationship&factor=reopened", "factor"),
])
def test_drivers_api_kind_parameter(query, field, manager):
    response = api_client_for(manager).get(f"/api/v1/metrics/drivers/?{query}&{PERIOD}")
    if field is None:
        assert response.status_code == 200 and response.json()["kind"] == "transactional"
    else:
        assert response.status_code == 400 and field in response.json()


def test_openapi_documents_the_kind_parameter(manager):
    schema = api_client_for(manager).get("/api/schema/?format=json").json()
    for path in ("/api/v1/metrics/drivers/", "/api/v1/metrics/themes/"):
        kind = next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "kind")
        assert sorted(kind["schema"]["enum"]) == ["relationship", "transactional"]


def test_drivers_page_and_csv_of_relationship_answers(client, manager, settings):
    settings.HELPDESK_MIN_RESPONSES = 5
    _both_kinds()
    client.force_login(manager)
    page = client.get(reverse("metrics:drivers"), {"from": "2026-06-01", "to": "2026-06-07",
                                                   "kind": "relationship"})
    html = page.content.decode()
    assert page.status_code == 200 and "kind=relationship" in html and 'aria-current="page">Relationship' in html
    assert "(n = 75;" in html
    response = client.get(reverse("metrics:drivers"), {"from": "2026-06-01", "to": "2026-06-07",
                                                       "kind": "relationship", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert "relationship" in response["Content-Disposition"]
    assert {r["kind"] for r in rows} == {"relationship"} and {r["factor"] for r in rows} == {"tier"}
    raw = Response.objects.filter(kind="relationship", organization_tier="premium").count()
    assert int(next(r["n"] for r in rows if r["level"] == "premium")) == raw
    bad = client.get(reverse("metrics:drivers"), {"kind": "both"})
    assert bad.status_code == 400 and "Choose one of" in bad.content.decode()


def test_themes_count_one_kinds_comments(manager, client):
    for i in range(12):
        make_response("nps", 2, comment="The invoice was wrong again, billing error",
                      created_at=INSIDE + timedelta(minutes=i))
        make_response("nps", 10, comment="Delivery was quick and the parcel arrived early",
                      created_at=INSIDE + timedelta(minutes=i))
    for i in range(7):
        _relationship("nps", 3, "premium", comment="The invoice was wrong, billing is a mess",
                      minutes=i)
    fitting.recompute_themes(now=END)
    f = MetricFilters(START, END)
    for kind, expected in ((Kind.TRANSACTIONAL, 24), (Kind.RELATIONSHIP, 7)):
        report = themes_report(f, "nps", kind=kind)
        assert report["kind"] == kind and report["n_comments"] == expected
        for theme in report["themes"]:
            assert theme["n"] == Response.objects.filter(
                kind=kind, comment_theme__theme_id=theme["id"]).count()
    body = api_client_for(manager).get(f"/api/v1/metrics/themes/?kind=relationship&{PERIOD}").json()
    assert body["n_comments"] == 7 and body["n_detractor_comments"] == 7
    client.force_login(manager)
    page = client.get(reverse("metrics:themes"), {"from": "2026-06-01", "to": "2026-06-07",
                                                  "kind": "relationship"}).content.decode()
    assert "kind=relationship&amp;theme=" in page or "kind=relationship&theme=" in page
    theme = next(t for t in body["themes"] if t["n"])
    listed = client.get(reverse("metrics:responses"), {"from": "2026-06-01", "to": "2026-06-07",
                                                       "kind": "relationship", "theme": theme["id"]})
    assert listed.status_code == 200
    assert len(listed.context["page"].object_list) == theme["n"]


# ---- custom fields as factors -------------------------------------------------------------

def _fields(count: int = 1):
    """A product dropdown, a warranty checkbox (email only), and ``count - 1`` more dropdowns."""
    product = CustomField.objects.create(
        key="product", type="dropdown", label_en="Product", label_fi="Tuote",
        options=[{"key": "printer", "en": "Printer", "fi": "Tulostin"},
                 {"key": "laptop", "en": "Laptop", "fi": "Kannettava"}])
    warranty = CustomField.objects.create(key="warranty", type="checkbox", label_en="Under warranty",
                                          label_fi="Takuussa", channels=["email"])
    extra = [CustomField.objects.create(key=f"extra{i}", type="dropdown", label_en=f"Extra {i}",
                                        label_fi=f"Lisä {i}",
                                        options=[{"key": "a", "en": "A", "fi": "A"}])
             for i in range(count - 1)]
    CustomField.objects.create(key="notes", type="text", label_en="Notes", label_fi="Muistiinpanot")
    return product, warranty, extra


def _field_data(product, warranty, seed: int = 5):
    rng = random.Random(seed)
    team = TeamFactory()
    for i in range(120):
        channel = rng.choice(["email", "chat"])
        ticket = make_ticket(channel=channel, team=team)
        value = rng.choice(["printer", "laptop", None, "retired_option"])
        if value:
            TicketFieldValue.objects.create(ticket=ticket, field=product, value=value)
        if channel == "email" and rng.random() < 0.4:
            TicketFieldValue.objects.create(ticket=ticket, field=warranty, value="true")
        bias = -4 if value == "printer" else 0
        make_response("csat", max(1, min(5, rng.randint(2, 5) + bias // 2)), ticket=ticket,
                      team=team, created_at=INSIDE + timedelta(minutes=i))


def _recompute_field(product, warranty):
    """level → scores, from the raw responses and field value rows."""
    levels: dict = {}
    for r in Response.objects.filter(metric="csat", kind="transactional"):
        values = dict(TicketFieldValue.objects.filter(ticket_id=r.ticket_id)
                      .values_list("field__key", "value"))
        if values.get("product") in ("printer", "laptop"):
            levels.setdefault(("field_product", values["product"]), []).append(r.score)
        if values.get("warranty") == "true":
            levels.setdefault(("field_warranty", "yes"), []).append(r.score)
        elif r.channel in warranty.channels:
            levels.setdefault(("field_warranty", "no"), []).append(r.score)
    return levels


@pytest.mark.parametrize("source", ["live", "facts"])
def test_custom_field_levels_equal_a_recomputation_from_raw_rows(source, settings):
    settings.HELPDESK_MIN_RESPONSES = 5
    product, warranty, _ = _fields()
    _field_data(product, warranty)
    _relationship("csat", 1, "premium")  # never in a transactional figure
    if source == "facts":
        refresh_rollups(since=START.date() - timedelta(days=1), until=END.date(),
                        everything_before=True)
    result = drivers.key_drivers(MetricFilters(START, END), "csat")
    all_scores = list(Response.objects.filter(metric="csat", kind="transactional")
                      .values_list("score", flat=True))
    assert result["n"] == len(all_scores) == 120
    got = {(d["factor"], d["level"]): d for d in result["drivers"]
           if d["factor"].startswith("field_")}
    expected = _recompute_field(product, warranty)
    # the retired option and the text field give no level; every known level is listed
    assert set(got) == {("field_product", "printer"), ("field_product", "laptop"),
                        ("field_warranty", "yes"), ("field_warranty", "no")}
    assert_csat_levels(got, expected, all_scores)


def test_custom_field_factor_labels_are_in_the_users_language():
    product, warranty, _ = _fields()
    _field_data(product, warranty)
    with translation.override("fi"):
        rows = drivers.key_drivers(MetricFilters(START, END), "csat",
                                   ["field_product", "field_warranty"])["drivers"]
    labels = {(d["factor_label"], d["level_label"]) for d in rows}
    assert {("Tuote", "Tulostin"), ("Tuote", "Kannettava"), ("Takuussa", "kyllä"),
            ("Takuussa", "ei")} == labels


@pytest.mark.parametrize("source", ["live", "facts"])
def test_drivers_query_count_does_not_grow_with_the_number_of_fields(source):
    counts = []
    for fields in (1, 4):
        CustomField.objects.all().delete()
        product, warranty, _ = _fields(fields)
        _field_data(product, warranty, seed=fields)
        if source == "facts":
            refresh_rollups(since=START.date() - timedelta(days=1), until=END.date(),
                            everything_before=True)
        with CaptureQueriesContext(connection) as queries:
            result = drivers.key_drivers(MetricFilters(START, END), "csat")
        assert len({d["factor"] for d in result["drivers"] if d["factor"].startswith("field_")}) == fields + 1
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 4


def test_drivers_page_query_count_is_pinned_with_custom_fields(client, manager,
                                                               django_assert_num_queries):
    counts = []
    client.force_login(manager)
    for fields in (1, 4):
        CustomField.objects.all().delete()
        product, warranty, _ = _fields(fields)
        _field_data(product, warranty, seed=fields)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("metrics:drivers"), {"from": "2026-06-01", "to": "2026-06-07",
                                                           "metric": "csat"})
        assert page.status_code == 200 and "Printer" in page.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_num_queries(counts[0]):
        client.get(reverse("metrics:drivers"), {"from": "2026-06-01", "to": "2026-06-07",
                                                "metric": "csat"})


def test_api_accepts_a_custom_field_factor_and_refuses_a_text_field(manager):
    product, warranty, _ = _fields()
    _field_data(product, warranty)
    client = api_client_for(manager)
    body = client.get(f"/api/v1/metrics/drivers/?metric=csat&factor=field_product&{PERIOD}").json()
    assert {d["level"] for d in body["drivers"]} == {"printer", "laptop"}
    assert {d["level_label"] for d in body["drivers"]} == {"Printer", "Laptop"}
    refused = client.get(f"/api/v1/metrics/drivers/?metric=csat&factor=field_notes&{PERIOD}")
    assert refused.status_code == 400 and "factor" in refused.json()


# ---- custom field factors from the per-day counts (docs/insights.md "Speed") ----------------

def _assert_field_levels_equal_a_recomputation(product, warranty):
    """The drivers of the whole period (the counts, once refreshed) against the raw rows."""
    all_scores = list(Response.objects.filter(metric="csat", kind="transactional")
                      .values_list("score", flat=True))
    with CaptureQueriesContext(connection) as queries:
        result = drivers.key_drivers(MetricFilters(START, END), "csat")
    got = {(d["factor"], d["level"]): d for d in result["drivers"]
           if d["factor"].startswith("field_") and d["n"]}
    active = {f.param for f in CustomField.objects.filter(active=True)}
    expected = {k: v for k, v in _recompute_field(product, warranty).items() if k[0] in active}
    assert set(got) == set(expected)
    assert_csat_levels(got, expected, all_scores)
    return [q["sql"] for q in queries.captured_queries]


def _refresh():
    refresh_rollups(since=START.date() - timedelta(days=1), until=END.date(),
                    everything_before=True)


def test_field_factors_of_a_held_period_read_the_counts_not_the_values(settings):
    settings.HELPDESK_MIN_RESPONSES = 5
    product, warranty, _ = _fields()
    _field_data(product, warranty)
    _refresh()
    assert DriverCounts.objects.filter(factor="field_product", level="printer").exists()
    assert DriverCounts.objects.filter(factor="field_warranty", level="no").exists()
    sql = _assert_field_levels_equal_a_recomputation(product, warranty)
    # no grouping of the facts joined to the tickets' values per request
    assert not any(TicketFieldValue._meta.db_table in q for q in sql)
    assert not any(ResponseFacts._meta.db_table in q for q in sql)


def test_field_counts_follow_a_changed_value(settings, django_capture_on_commit_callbacks):
    settings.HELPDESK_MIN_RESPONSES = 5
    product, warranty, _ = _fields()
    _field_data(product, warranty)
    _refresh()
    printers = list(Ticket.objects.filter(field_values__field=product,
                                          field_values__value="printer")[:6])
    emails = list(Ticket.objects.filter(channel="email").exclude(
        field_values__field=warranty)[:3])
    with django_capture_on_commit_callbacks(execute=True):
        for ticket in printers[:3]:  # one ticket at a time (the ticket page, the API)
            apply_ticket_changes(ticket=ticket, changes={"fields": {"product": "laptop"}},
                                 actor=None, source="api")
        for ticket in emails:
            apply_ticket_changes(ticket=ticket, changes={"fields": {"warranty": True}},
                                 actor=None, source="api")
        # and in bulk
        set_field_on_tickets(tickets=printers[3:], key="product", raw="", actor=None)
    assert TicketFieldValue.objects.filter(ticket__in=printers[3:], field=product).count() == 0
    _assert_field_levels_equal_a_recomputation(product, warranty)


def test_field_counts_follow_a_changed_definition_and_a_new_field(
        settings, django_capture_on_commit_callbacks):
    settings.HELPDESK_MIN_RESPONSES = 5
    product, warranty, _ = _fields()
    _field_data(product, warranty)
    _refresh()
    with django_capture_on_commit_callbacks(execute=True):
        warranty.channels = ["email", "chat"]  # "no" now applies to chat answers as well
        warranty.save()
        product.active = False
        product.save()
    _assert_field_levels_equal_a_recomputation(product, warranty)
    assert not DriverCounts.objects.filter(factor="field_product").exists()
    with django_capture_on_commit_callbacks(execute=True):
        product.active = True
        product.save()
        CustomField.objects.create(key="late", type="dropdown", label_en="Late", label_fi="Myöh",
                                   options=[{"key": "x", "en": "X", "fi": "X"}])
    _assert_field_levels_equal_a_recomputation(product, warranty)
    rows = drivers.key_drivers(MetricFilters(START, END), "csat", ["field_late"])["drivers"]
    assert [(d["level"], d["n"]) for d in rows] == [("x", 0)]


def test_field_counts_take_in_a_new_response_at_the_refresh(settings):
    settings.HELPDESK_MIN_RESPONSES = 5
    product, warranty, _ = _fields()
    _field_data(product, warranty)
    _refresh()
    ticket = make_ticket(channel="email")
    TicketFieldValue.objects.create(ticket=ticket, field=product, value="printer")
    make_response("csat", 1, ticket=ticket, created_at=INSIDE + timedelta(hours=5))
    _refresh()
    _assert_field_levels_equal_a_recomputation(product, warranty)


@pytest.mark.parametrize("channel", ["", "email", "chat"])
def test_counts_equal_the_grouped_facts_for_every_factor(channel, settings):
    """The summed counts and the one grouped query over the facts give the same rows,
    over every channel or one (the counts are per channel)."""
    product, warranty, extra = _fields(2)
    _field_data(product, warranty)
    _relationship("csat", 2, "premium")
    _refresh()
    chosen = drivers.all_factors()
    f = MetricFilters(START, END, channel=channel)
    days = read.held_days(f)
    assert days is not None  # the refresh holds the period
    counted = drivers._counted_rows(f, "csat", "transactional", chosen, days)
    grouped = drivers._grouped_counts(f, "csat", "transactional", chosen, days)
    assert sum(n for i, _, n, *_ in counted if i is None) == Response.objects.filter(
        metric="csat", kind="transactional", **({"channel": channel} if channel else {})).count()
    norm = lambda rows: sorted((i if i is not None else -1, str(lvl), *map(float, c))  # noqa: E731
                               for i, lvl, *c in rows if i is None or lvl is not None)
    assert norm(counted) == norm(grouped)


def test_channel_filtered_field_levels_equal_a_recomputation(settings):
    settings.HELPDESK_MIN_RESPONSES = 5
    product, warranty, _ = _fields()
    _field_data(product, warranty)
    _refresh()
    result = drivers.key_drivers(MetricFilters(START, END, channel="email"), "csat")
    got = {(d["factor"], d["level"]): d["n"] for d in result["drivers"] if d["n"]}
    emails = Response.objects.filter(metric="csat", kind="transactional", channel="email")
    assert result["n"] == emails.count()
    expected = {}
    for r in emails:
        values = dict(TicketFieldValue.objects.filter(ticket_id=r.ticket_id)
                      .values_list("field__key", "value"))
        if values.get("product") in ("printer", "laptop"):
            key = ("field_product", values["product"])
            expected[key] = expected.get(key, 0) + 1
        key = ("field_warranty", "yes" if values.get("warranty") == "true" else "no")
        expected[key] = expected.get(key, 0) + 1
    assert {k: v for k, v in got.items() if k[0].startswith("field_")} == expected
    assert got[("channel", "email")] == emails.count()


def test_a_long_option_key_is_counted(settings):
    settings.HELPDESK_MIN_RESPONSES = 1
    key = "k" * 64  # the longest option key the field service accepts
    field = CustomField.objects.create(key="long", type="dropdown", label_en="Long",
                                       label_fi="Pitkä", options=[{"key": key, "en": "L", "fi": "L"}])
    ticket = make_ticket()
    TicketFieldValue.objects.create(ticket=ticket, field=field, value=key)
    make_response("csat", 5, ticket=ticket)
    _refresh()
    rows = drivers.key_drivers(MetricFilters(START, END), "csat", ["field_long"])["drivers"]
    assert [(d["level"], d["n"]) for d in rows] == [(key, 1)]


def test_a_bulk_change_queues_one_count_task_for_all_its_tickets(
        settings, monkeypatch, django_capture_on_commit_callbacks):
    from metrics import tasks

    settings.HELPDESK_MIN_RESPONSES = 5
    product, warranty, _ = _fields()
    _field_data(product, warranty)
    _refresh()
    queued = {"one": [], "many": []}
    monkeypatch.setattr(tasks.refresh_ticket_field_driver_counts, "delay",
                        lambda ticket_id: queued["one"].append(ticket_id))
    real_many = tasks.refresh_tickets_field_driver_counts
    monkeypatch.setattr(real_many, "delay",
                        lambda ids: queued["many"].append(ids) or real_many(ids))
    printers = list(Ticket.objects.filter(field_values__field=product,
                                          field_values__value="printer")[:6])
    with django_capture_on_commit_callbacks(execute=True):
        changed = set_field_on_tickets(tickets=printers, key="product", raw="laptop",
                                       actor=None)
        apply_ticket_changes(ticket=printers[0], changes={"fields": {"product": "printer"}},
                             actor=None, source="api")
    assert queued["many"] == [changed] and len(changed) == 6  # one task, every ticket
    assert queued["one"] == [printers[0].pk]  # a single ticket's change: its own
    _assert_field_levels_equal_a_recomputation(product, warranty)  # the task ran
