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


def test_a_case_that_writes_is_told_from_one_that_reads(transactional_db):
    from django.db import connection

    from demo.management.commands.bench import measure, writes
    from tickets.models import Customer

    def read() -> int:
        return 200 if Customer.objects.count() >= 0 else 500

    def write() -> int:
        Customer.objects.create(email="bench-writes@example.com")
        return 200

    # PostgreSQL says whether the request wrote; elsewhere every case is rolled back.
    assert writes(read) is (connection.vendor != "postgresql")
    assert writes(write) is True
    seen = []

    def read_and_note() -> int:
        seen.append(connection.in_atomic_block)
        return read()

    median, p95, queries, statuses = measure(read_and_note, 3)
    assert statuses == ("200" if connection.vendor == "postgresql" else "200, rolled back")
    assert queries >= 1 and p95 >= median > 0
    # The warm-up is rolled back; the counted and the timed requests run as in production
    # where nothing is written (and in a rolled-back transaction where it cannot be told).
    assert seen[0] is True
    assert set(seen[1:]) == {connection.vendor != "postgresql"}
    assert len(seen) == 5
    assert measure(write, 2)[3] == "200, rolled back"
    assert not Customer.objects.filter(email="bench-writes@example.com").exists()
