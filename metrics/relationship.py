"""Relationship scores (docs/metrics.md, docs/relationship-surveys.md): over responses of
kind ``relationship`` only, of one relationship program, per wave, per organization and per
tier, each in the program's own metric (NPS, CSAT or CES) with the dashboard's interval and
test. Never mixed with the transactional figures of the other dashboards."""

from __future__ import annotations

from django.db.models import Count, F, Max, Q, QuerySet, Sum

from surveys.models import Kind, Metric, PromoterAsk, Response, SurveyProgram

from . import stats
from .definitions import DETRACTORS, EASY, PROMOTERS, SATISFIED, current_scale
from .queries.summary import ces_block, csat_block, nps_block

# The counts each metric's block reads, banded as on the dashboard (metrics/definitions.py).
COUNTS = {
    Metric.NPS: {"nps_n": Count("pk"), "nps_promoters": Count("pk", filter=PROMOTERS.q()),
                 "nps_detractors": Count("pk", filter=DETRACTORS.q())},
    Metric.CSAT: {"csat_n": Count("pk"), "csat_satisfied": Count("pk", filter=SATISFIED.q()),
                  "csat_sum": Sum("score")},
    Metric.CES: {"ces_n": Count("pk"), "ces_easy": Count("pk", filter=EASY.q()),
                 "ces_sum": Sum("score")},
}


NPS_COUNTS = COUNTS[Metric.NPS]


def relationship_nps() -> QuerySet[Response]:
    """Relationship NPS answers (organization health reads these)."""
    return relationship_responses(Metric.NPS)


def relationship_responses(metric: str) -> QuerySet[Response]:
    """Relationship answers of ``metric`` on its current scale (answers on an older scale
    never mix into a trend)."""
    return Response.objects.filter(current_scale(), kind=Kind.RELATIONSHIP, metric=metric)


def score(metric: str, counts: dict) -> dict:
    """One row's figure: the metric's score, its 95 % interval and n, as the dashboard
    shows them. NPS: adjusted-Wald margin; CSAT: Wilson interval of % satisfied; CES: the
    mean, and the Wilson interval of % easy (the share the dashboard's verdict tests)."""
    if metric == Metric.NPS:
        block = nps_block(counts)
        margin = block["margin_of_error"]
        # The margin is symmetric; the interval shown stays on the scale (−100…100).
        low, high = ((max(-100.0, block["score"] - margin), min(100.0, block["score"] + margin))
                     if margin is not None and block["score"] is not None else (None, None))
        return {**block, "metric": metric, "low": low, "high": high}
    if metric == Metric.CSAT:
        block = csat_block(counts)
        return {**block, "metric": metric, "low": block["ci_low"], "high": block["ci_high"]}
    block = ces_block(counts)
    interval = stats.wilson_interval(block["easy"], block["n"])
    low, high = (round(interval[0], 1), round(interval[1], 1)) if interval else (None, None)
    return {**block, "metric": metric, "low": low, "high": high}


def compare(a: dict, b: dict) -> stats.Comparison:
    """The dashboard's test between two rows of one metric (metrics/tiles.py)."""
    if a["metric"] == Metric.NPS:
        return stats.compare_nps((a["promoters"], a["detractors"], a["n"]),
                                 (b["promoters"], b["detractors"], b["n"]))
    success = "satisfied" if a["metric"] == Metric.CSAT else "easy"
    return stats.compare_proportions((a[success], a["n"]), (b[success], b["n"]))


def by_wave(program: SurveyProgram) -> list[dict]:
    """The program's waves with answers, oldest first, each with its score and the test of
    its change against the previous wave (one query). A wave answered in another metric
    than the program's now (the program was changed) is left out of this trend."""
    rows = list(relationship_responses(program.metric).filter(wave__program=program)
                .values("wave_id", "wave__number", "wave__starts_on")
                .annotate(**COUNTS[program.metric]).order_by("wave__starts_on", "wave_id"))
    previous = None
    for row in rows:
        row["score"] = score(program.metric, row)
        row["comparison"] = compare(row["score"], previous) if previous else None
        row["change"] = (round(row["score"]["score"] - previous["score"], 1)
                         if previous and row["score"]["score"] is not None
                         and previous["score"] is not None else None)
        previous = row["score"]
    return rows


def _of_wave(program: SurveyProgram, wave_id: int | None) -> QuerySet[Response]:
    qs = relationship_responses(program.metric).filter(wave__program=program)
    return qs.filter(wave_id=wave_id) if wave_id else qs


def by_organization(program: SurveyProgram, wave_id: int | None, *,
                    limit: int = 100) -> list[dict]:
    rows = list(_of_wave(program, wave_id).filter(organization__isnull=False)
                .values("organization_id", "organization__name", "organization__tier")
                .annotate(**COUNTS[program.metric])
                .order_by(f"-{program.metric}_n", "organization__name")[:limit])
    for row in rows:
        row["score"] = score(program.metric, row)
    return rows


def by_tier(program: SurveyProgram, wave_id: int | None) -> list[dict]:
    """Per tier as it was when answered (``Response.organization_tier``)."""
    rows = list(_of_wave(program, wave_id).values("organization_tier")
                .annotate(**COUNTS[program.metric]).order_by("organization_tier"))
    for row in rows:
        row["score"] = score(program.metric, row)
    return rows


def programs() -> list[SurveyProgram]:
    """Relationship programs, the one with the latest wave first."""
    return list(SurveyProgram.objects.filter(kind=Kind.RELATIONSHIP)
                .annotate(last_wave=Max("waves__starts_on"))
                .order_by(F("last_wave").desc(nulls_last=True), "name"))


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
