"""Organization health and the organizations-by-risk list (docs/relationship-surveys.md).

Health of an organization: its latest relationship NPS (the last wave it answered),
its transactional scores of the last 90 days, its open and overdue follow-ups, its
tickets of the last 90 days and its churn state. Each part is one grouped query for
any number of organizations, so the list costs the same few queries as one page.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Max, Q
from django.template.loader import render_to_string
from django.utils import timezone

from surveys.models import FollowUp, Kind, Response
from tickets.models import Organization, Ticket

from .definitions import current_scale
from .queries.families import score_aggregates
from .queries.periods import filtered
from .queries.summary import csat_block, nps_block
from .relationship import NPS_COUNTS, relationship_nps

RECENT_DAYS = 90


def _only(qs, field: str, ids):
    return qs if ids is None else qs.filter(**{f"{field}__in": ids})


def latest_relationship(ids=None) -> dict[int, dict]:
    """{organization: NPS block of the last wave it answered, with that wave's start}."""
    rows = (_only(relationship_nps().filter(wave__isnull=False), "organization_id", ids)
            .values("organization_id", "wave_id").annotate(**NPS_COUNTS, day=Max("created_at"))
            .order_by("organization_id", "wave_id"))
    latest: dict[int, dict] = {}
    for row in rows:  # ordered by wave: the last row of an organization is its latest wave
        latest[row["organization_id"]] = {**nps_block(row), "answered": row["day"]}
    return latest


def transactional_scores(ids, since: datetime) -> dict[int, dict]:
    wanted = ("nps_n", "nps_promoters", "nps_detractors", "csat_n", "csat_satisfied", "csat_sum")
    # The scale in each count, not the WHERE: any answer lists its organization.
    aggregates = {name: filtered(score_aggregates()[name], current_scale()) for name in wanted}
    rows = (_only(Response.objects.filter(kind=Kind.TRANSACTIONAL, created_at__gte=since),
                  "organization_id", ids)
            .values("organization_id").annotate(**aggregates).order_by())
    return {row["organization_id"]: {"nps": nps_block(row), "csat": csat_block(row)}
            for row in rows}


def follow_up_counts(ids, now: datetime) -> dict[int, dict]:
    rows = (_only(FollowUp.objects.filter(status=FollowUp.Status.OPEN),
                  "response__organization_id", ids)
            .values("response__organization_id")
            .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
            .order_by())
    return {row["response__organization_id"]: row for row in rows}


def ticket_counts(ids, since: datetime) -> dict[int, int]:
    rows = (_only(Ticket.objects.filter(created_at__gte=since, customer__organization__isnull=False),
                  "customer__organization_id", ids)
            .values("customer__organization_id").annotate(n=Count("pk")).order_by())
    return {row["customer__organization_id"]: row["n"] for row in rows}


def risk_level(relationship: dict | None, overdue: int) -> str:
    """high: a detractor relationship score (NPS below 0) and overdue follow-ups;
    medium: either one; low: neither."""
    detractor = bool(relationship and relationship["score"] is not None
                     and relationship["score"] < 0)
    if detractor and overdue:
        return "high"
    return "medium" if detractor or overdue else "low"


def health_rows(organizations, now: datetime) -> list[dict]:
    ids = [o.pk for o in organizations]
    since = now - timedelta(days=RECENT_DAYS)
    rel, tx = latest_relationship(ids), transactional_scores(ids, since)
    follow_ups, tickets = follow_up_counts(ids, now), ticket_counts(ids, since)
    rows = []
    for org in organizations:
        fu = follow_ups.get(org.pk, {"open": 0, "overdue": 0})
        relationship = rel.get(org.pk)
        rows.append({
            "organization": org, "relationship": relationship,
            "transactional": tx.get(org.pk), "open_follow_ups": fu["open"],
            "overdue_follow_ups": fu["overdue"], "tickets_recent": tickets.get(org.pk, 0),
            "churned": org.churned_at is not None and org.churned_at <= now.date(),
            "risk": risk_level(relationship, fu["overdue"]),
        })
    return rows


_RANK = {"high": 0, "medium": 1, "low": 2}


def organizations_by_risk(*, now: datetime | None = None, limit: int = 200) -> list[dict]:
    """Active organizations, riskiest first: risk level, then the relationship score
    (lowest first), overdue follow-ups, then revenue (highest first). Five queries."""
    now = now or timezone.now()
    active = Organization.objects.filter(Q(churned_at__isnull=True)
                                         | Q(churned_at__gt=now.date()))
    rows = health_rows(list(active.only("pk", "name", "tier", "annual_revenue", "churned_at")),
                       now)

    def key(row):
        score = row["relationship"]["score"] if row["relationship"] else None
        return (_RANK[row["risk"]], score if score is not None else 1000,
                -row["overdue_follow_ups"], -(row["organization"].annual_revenue or 0),
                row["organization"].name)

    return sorted(rows, key=key)[:limit]


def organization_health(request, organization) -> str:
    """The organization page's health panel (settings.HELPDESK_ORGANIZATION_PANELS)."""
    row = health_rows([organization], timezone.now())[0]
    return render_to_string("metrics/organization_health.html",
                            {"row": row, "recent_days": RECENT_DAYS}, request=request)
