"""Key drivers: every number equals a recomputation from the raw tickets and responses
(plain Python here, scipy for Welch), live and from the refreshed facts alike."""

import math
import random
from datetime import timedelta

import pytest
from scipy import stats as scipy_stats

from metrics.fast.refresh import refresh_rollups
from metrics.filters import MetricFilters
from metrics.insights import drivers
from surveys.models import Response
from tests.factories import CustomerFactory, OrganizationFactory, TeamFactory, UserFactory
from tickets.models import Ticket, TicketEvent, TicketSLA

from .conftest import END, INSIDE, START, make_response, make_ticket

pytestmark = pytest.mark.django_db

GOOD = {"nps": 9, "csat": 4, "ces": 5}


def _dataset(seed: int = 7, n: int = 160):
    """Tickets whose facts vary independently, one response each for every metric."""
    rng = random.Random(seed)
    orgs = [OrganizationFactory(tier=t) for t in ("free", "premium", "enterprise")]
    customers = [CustomerFactory(organization=o) for o in orgs] + [CustomerFactory()]
    agents = [UserFactory() for _ in range(3)]
    teams = [TeamFactory(name=f"T{i}") for i in range(2)]
    for i in range(n):
        solved = rng.random() < 0.85
        ticket = make_ticket(customer=rng.choice(customers),
                             channel=rng.choice(["email", "chat", "phone"]),
                             priority=rng.choice(["low", "normal", "high"]),
                             reopen_count=rng.choice([0, 0, 0, 1, 2]),
                             public_reply_count=rng.choice([0, 1, 1, 2, 3, 4, 5]),
                             first_response_at=INSIDE if rng.random() < 0.9 else None,
                             solved_at=INSIDE + timedelta(hours=3) if solved else None)
        if rng.random() < 0.8:
            TicketSLA.objects.create(ticket=ticket, first_response_due_at=INSIDE,
                                     first_response_breached=rng.random() < 0.3,
                                     resolution_due_at=INSIDE if rng.random() < 0.9 else None,
                                     resolution_breached=rng.random() < 0.4)
        first, second = rng.sample(agents, 2)
        TicketEvent.objects.create(ticket=ticket, field="assignee", new_value=str(first.pk))
        if rng.random() < 0.3:
            TicketEvent.objects.create(ticket=ticket, field="assignee", old_value=str(first.pk),
                                       new_value=str(second.pk))
        if rng.random() < 0.15:
            TicketEvent.objects.create(ticket=ticket, field="team", old_value=str(teams[0].pk),
                                       new_value=str(teams[1].pk))
        bias = (-3 if ticket.reopen_count else 0) + (2 if ticket.public_reply_count == 1 else 0)
        tier = ticket.customer.organization.tier if ticket.customer.organization else ""
        for metric, (low, high) in (("nps", (0, 10)), ("csat", (1, 5)), ("ces", (1, 7))):
            score = min(high, max(low, rng.randint(low, high) + bias * (high - low) // 10))
            make_response(metric, score, ticket=ticket, organization_tier=tier,
                          agent=first, created_at=INSIDE + timedelta(minutes=i))


# ---- the independent recomputation -------------------------------------------------------

def _levels(response: Response) -> dict:
    t = Ticket.objects.get(pk=response.ticket_id)
    sla = TicketSLA.objects.filter(ticket=t).first()
    events = list(TicketEvent.objects.filter(ticket=t))
    agents = {e.new_value for e in events if e.field == "assignee" and e.new_value}
    moves = sum(1 for e in events if e.field == "team" and e.old_value and e.new_value
                and e.old_value != e.new_value)
    levels = {
        "reopened": "yes" if t.reopen_count else "no",
        "agent_replies": {0: None, 1: "1", 2: "2"}.get(t.public_reply_count, "3+"),
        "handoffs": "1+" if max(0, len(agents) - 1) + moves else "0",
        "channel": response.channel, "tier": response.organization_tier or None,
        "priority": t.priority,
        "fcr": None if t.solved_at is None else
        ("yes" if t.public_reply_count == 1 and t.reopen_count == 0 else "no"),
        "first_response_sla": None, "resolution_sla": None,
    }
    if sla and sla.first_response_due_at:
        levels["first_response_sla"] = ("breached" if sla.first_response_breached else
                                         "met" if t.first_response_at else None)
    if sla and sla.resolution_due_at:
        levels["resolution_sla"] = ("breached" if sla.resolution_breached else
                                    "met" if t.solved_at else None)
    return levels


def _score(metric, scores):
    if not scores:
        return None
    if metric == "nps":
        return 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)
    if metric == "csat":
        return 100 * sum(s >= 4 for s in scores) / len(scores)
    return sum(scores) / len(scores)


def _wilson(k, n):
    p, z = k / n, 1.959963984540054
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return 100 * (centre - half), 100 * (centre + half)


def _interval(metric, a, b):
    if metric == "csat":
        ka, kb = sum(s >= 4 for s in a), sum(s >= 4 for s in b)
        pa, pb = 100 * ka / len(a), 100 * kb / len(b)
        (la, ua), (lb, ub) = _wilson(ka, len(a)), _wilson(kb, len(b))
        d = pa - pb
        return d - math.hypot(pa - la, ub - pb), d + math.hypot(ua - pa, pb - lb)
    if metric == "ces":
        ci = scipy_stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
        return ci.low, ci.high
    def parts(x):
        m = len(x) + 3
        return (sum(s >= 9 for s in x) + .75) / m, (sum(s <= 6 for s in x) + .75) / m, m
    (pa, da, ma), (pb, db, mb) = parts(a), parts(b)
    se = math.sqrt((pa + da - (pa - da) ** 2) / ma + (pb + db - (pb - db) ** 2) / mb)
    centre = (pa - da) - (pb - db)
    return 100 * (centre - 1.959963984540054 * se), 100 * (centre + 1.959963984540054 * se)


def _recompute(metric: str, minimum: int) -> dict:
    rows = [(r.score, _levels(r)) for r in Response.objects.filter(metric=metric)]
    expected = {}
    for factor in drivers.factor_names():
        levels = {lv[factor] for _, lv in rows if lv[factor] is not None}
        per = {}
        for level in levels:
            at = [s for s, lv in rows if lv[factor] == level]
            rest = [s for s, lv in rows if lv[factor] != level]
            per[level] = (at, rest)
        usable = {lv: _score(metric, at) for lv, (at, rest) in per.items()
                  if len(at) >= minimum and len(rest) >= minimum}
        best = max(usable.values(), default=None)
        for level, (at, rest) in per.items():
            expected[(factor, level)] = {
                "n": len(at), "score": _score(metric, at),
                "difference": _score(metric, at) - _score(metric, rest),
                "interval": _interval(metric, at, rest),
                "gain": (best - usable[level]) * len(at) / len(rows) if level in usable else None,
            }
    return expected


# ---- the tests ----------------------------------------------------------------------------

@pytest.mark.parametrize("metric", ["nps", "csat", "ces"])
@pytest.mark.parametrize("source", ["live", "facts"])
def test_every_driver_number_equals_a_recomputation_from_raw_rows(metric, source, settings):
    settings.HELPDESK_MIN_RESPONSES = 10
    _dataset()
    if source == "facts":
        refresh_rollups(since=START.date() - timedelta(days=1), until=END.date(),
                        everything_before=True)
    result = drivers.key_drivers(MetricFilters(START, END), metric)
    expected = _recompute(metric, 10)
    digits = drivers.DIGITS[metric]
    assert result["n"] == Response.objects.filter(metric=metric).count() == 160
    seen = {(d["factor"], d["level"]): d for d in result["drivers"] if d["n"]}
    assert set(seen) == set(expected)
    for key, want in expected.items():
        got = seen[key]
        assert got["n"] == want["n"], key
        assert got["score"] == pytest.approx(want["score"], abs=10 ** -digits / 2 + 1e-9), key
        assert got["difference"] == pytest.approx(want["difference"], abs=10 ** -digits / 2 + 1e-9)
        assert got["ci_low"] == pytest.approx(want["interval"][0], abs=10 ** -digits / 2 + 1e-6)
        assert got["ci_high"] == pytest.approx(want["interval"][1], abs=10 ** -digits / 2 + 1e-6)
        if want["gain"] is None:
            assert got["gain"] is None and got["too_few"]
        else:
            assert got["gain"] == pytest.approx(want["gain"], abs=10 ** -(digits + 1) / 2 + 1e-9)


def test_drivers_are_ranked_by_gain_and_greyed_levels_come_last(settings):
    settings.HELPDESK_MIN_RESPONSES = 10
    _dataset()
    rows = drivers.key_drivers(MetricFilters(START, END), "nps")["drivers"]
    ranked = [d for d in rows if not d["too_few"]]
    assert [d["gain"] for d in ranked] == sorted((d["gain"] for d in ranked), reverse=True)
    assert [d["rank"] for d in ranked] == list(range(1, len(ranked) + 1))
    first_greyed = next(i for i, d in enumerate(rows) if d["too_few"])
    assert all(d["too_few"] and d["gain"] is None and d["reason"] for d in rows[first_greyed:])


def test_reopened_tickets_drive_nps_down():
    for _ in range(40):
        make_response("nps", 10, ticket=make_ticket(reopen_count=0))
        make_response("nps", 2, ticket=make_ticket(reopen_count=1))
    result = drivers.key_drivers(MetricFilters(START, END), "nps", ["reopened"])
    by_level = {d["level"]: d for d in result["drivers"]}
    assert by_level["yes"]["score"] == -100.0 and by_level["no"]["score"] == 100.0
    assert by_level["yes"]["difference"] == -200.0
    assert by_level["yes"]["ci_high"] < 0 < by_level["no"]["ci_low"]
    # If reopened tickets did as well as the others, NPS would gain 200 × half = 100 points.
    assert by_level["yes"]["gain"] == 100.0 and by_level["no"]["gain"] == 0.0
    assert result["drivers"][0]["level"] == "yes"


def test_too_few_responses_are_greyed_with_the_reason_not_an_error():
    make_response("csat", 5)
    result = drivers.key_drivers(MetricFilters(START, END), "csat")
    assert result["n"] == 1 and result["too_few"] and result["reason"]
    assert result["drivers"] and all(d["too_few"] and d["reason"] for d in result["drivers"])


def test_empty_selection_lists_every_level_greyed():
    result = drivers.key_drivers(MetricFilters(START, END), "ces")
    assert result["n"] == 0 and result["score"] is None
    assert {(d["factor"], d["level"]) for d in result["drivers"]} >= {
        ("handoffs", "0"), ("handoffs", "1+"), ("agent_replies", "3+"), ("fcr", "yes")}


def test_filters_narrow_the_selection(settings):
    settings.HELPDESK_MIN_RESPONSES = 1
    make_response("nps", 10, ticket=make_ticket(channel="chat"))
    make_response("nps", 0, ticket=make_ticket(channel="email"))
    result = drivers.key_drivers(MetricFilters(START, END, channel="chat"), "nps")
    assert result["n"] == 1 and result["score"] == 100.0
