"""Relationship NPS (docs/metrics.md): over responses of kind ``relationship`` only, per wave,
per organization and per tier, with the adjusted-Wald interval. Never mixed with the
transactional figures of the other dashboards (docs/relationship-surveys.md)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from surveys.models import Kind, Metric, PromoterAsk, Response, SurveyProgram

from . import stats
from .definitions import DETRACTORS, PROMOTERS, current_scale
from .queries.summary import nps_block

NPS_COUNTS = {"nps_n": Count("pk"), "nps_promoters": Count("pk", filter=PROMOTERS.q()),
              "nps_detractors": Count("pk", filter=DETRACTORS.q())}


def relationship_nps() -> QuerySet[Response]:
    return Response.objects.filter(current_scale(), kind=Kind.RELATIONSHIP, metric=Metric.NPS)


def by_wave() -> list[dict]:
    """Every wave with answers, oldest first, each with its NPS block and the test of
    its change against the program's previous wave (one query)."""
    rows = list(relationship_nps().filter(wave__isnull=False)
                .values("wave_id", "wave__number", "wave__starts_on", "wave__program_id",
                        "wave__program__name")
                .annotate(**NPS_COUNTS).order_by("wave__starts_on", "wave_id"))
    previous: dict[int, dict] = {}
    for row in rows:
        row["nps"] = nps_block(row)
        before = previous.get(row["wave__program_id"])
        row["comparison"] = (stats.compare_nps(_counts(row["nps"]), _counts(before["nps"]))
                             if before else None)
        row["change"] = (round(row["nps"]["score"] - before["nps"]["score"], 1)
                         if before and row["nps"]["score"] is not None
                         and before["nps"]["score"] is not None else None)
        previous[row["wave__program_id"]] = row
    return rows


def _counts(block: dict) -> tuple[int, int, int]:
    return block["promoters"], block["detractors"], block["n"]


def by_organization(wave_id: int | None, *, limit: int = 100) -> list[dict]:
    qs = relationship_nps().filter(organization__isnull=False)
    if wave_id:
        qs = qs.filter(wave_id=wave_id)
    rows = list(qs.values("organization_id", "organization__name", "organization__tier")
                .annotate(**NPS_COUNTS).order_by("-nps_n", "organization__name")[:limit])
    for row in rows:
        row["nps"] = nps_block(row)
    return rows


def by_tier(wave_id: int | None) -> list[dict]:
    qs = relationship_nps()
    if wave_id:
        qs = qs.filter(wave_id=wave_id)
    rows = list(qs.values("organization_tier").annotate(**NPS_COUNTS)
                .order_by("organization_tier"))
    for row in rows:
        row["nps"] = nps_block(row)
    return rows


def asks_by_kind() -> list[dict]:
    """Promoters activated: asks sent, clicked and the activation rate, per ask."""
    labels = dict(SurveyProgram.Ask.choices)
    rows = list(PromoterAsk.objects.values("kind").annotate(
        sent=Count("pk"), clicked=Count("pk", filter=Q(clicked_at__isnull=False)))
        .order_by("kind"))
    for row in rows:
        row["label"] = labels.get(row["kind"], row["kind"])
        row["rate"] = round(100.0 * row["clicked"] / row["sent"], 1) if row["sent"] else None
    return rows
