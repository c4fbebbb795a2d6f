from io import StringIO

from django.core.management import call_command

from demo.bench.registry import CASES, Context, case, url
from tickets.models import Ticket


def test_bench_seeds_and_prints_a_row_per_case(db):
    out = StringIO()
    call_command("bench", "--tickets", "40", "--requests", "1", stdout=out)
    text = out.getvalue()
    assert Ticket.objects.count() == 40
    assert "median ms" in text and "p95 ms" in text and "queries" in text
    for bench_case in CASES:
        assert bench_case.name in text
    assert "API ticket list, first page" in text.split("median ms")[1]


def test_bench_leaves_the_data_as_it_found_it(db):
    call_command("bench", "--tickets", "30", "--requests", "1", "--only", "intake",
                 stdout=StringIO())
    assert Ticket.objects.count() == 30


def test_a_case_whose_url_is_not_served_is_skipped(db):
    case("Nowhere", "manager", lambda c: None if url("/no/such/page/") is None else c)
    try:
        out = StringIO()
        call_command("bench", "--tickets", "20", "--requests", "1", "--only", "Nowhere",
                     stdout=out)
        assert "skipped" in out.getvalue()
    finally:
        CASES.pop()


def test_url_returns_none_for_unknown_names():
    assert url("no-such:name") is None
    assert isinstance(Context, type)
