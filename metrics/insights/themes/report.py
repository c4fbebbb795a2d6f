"""The themes of the comments of a selection (docs/api.md "Insights"): n, share, mean
score, trend, examples, and the same themes among detractors and among promoters.
A constant number of queries whatever the number of themes or comments."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Avg, Count, F, Q, Window
from django.db.models.functions import RowNumber, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from surveys.models import DETRACTOR_MAX, PROMOTER_MIN, SCALES, Kind, Response

from ...filters import MetricFilters
from ...models import CommentTheme, ThemeModel
from ...queries.base import normalize_key
from ...queries.families import filtered_responses

EXAMPLES = 3


def _band(limits: dict, op: str) -> Q:
    """Detractors (score ≤ DETRACTOR_MAX) or promoters (≥ PROMOTER_MIN) of each metric:
    the closing-the-loop bands of surveys.models."""
    q = Q(pk__in=[])
    for metric, limit in limits.items():
        q |= Q(metric=metric, **{f"score__{op}": limit})
    return q


DETRACTORS, PROMOTERS = _band(DETRACTOR_MAX, "lte"), _band(PROMOTER_MIN, "gte")


def responses_of_kind(f: MetricFilters, kind: str):
    """The responses of the selection among one survey kind's: transactional ones are the
    dashboard's (queries.families.filtered_responses); relationship answers, which carry no
    ticket, channel, agent or team, take the same filters (which then match none) and
    the tier."""
    if kind == Kind.TRANSACTIONAL:
        return filtered_responses(f)
    canonical = Q(pk__in=[])
    for metric, (low, high) in SCALES.items():
        canonical |= Q(metric=metric, scale_min=low, scale_max=high)
    qs = Response.objects.filter(canonical, kind=kind, created_at__gte=f.start,
                                 created_at__lt=f.end)
    for key, value in (("channel", f.channel), ("agent_id", f.agent_id), ("team_id", f.team_id),
                       ("organization_tier", f.tier), ("ticket__priority", f.priority)):
        if value:
            qs = qs.filter(**{key: value})
    return qs


def commented(f: MetricFilters, metric: str | None, kind: str = Kind.TRANSACTIONAL):
    qs = responses_of_kind(f, kind).exclude(comment="")
    return qs.filter(metric=metric) if metric else qs


def _weeks(f: MetricFilters) -> list:
    first = timezone.localtime(f.start).date()
    first -= timedelta(days=first.weekday())
    last = timezone.localtime(f.end - timedelta(microseconds=1)).date()
    weeks = []
    while first <= last:
        weeks.append(first)
        first += timedelta(days=7)
    return weeks


def themes_report(f: MetricFilters, metric: str | None = None, *,
                  kind: str = Kind.TRANSACTIONAL) -> dict:
    """The themes among the comments of one survey kind (transactional by default): the
    themes are fitted over both kinds' comments; the figures count one kind's."""
    qs = commented(f, metric, kind)
    model = ThemeModel.objects.order_by("-pk").first()
    themes = list(CommentTheme.objects.filter(model=model)) if model else []
    grouped = {row["comment_theme__theme"]: row for row in qs.values("comment_theme__theme")
               .annotate(n=Count("pk"), mean=Avg("score"), detractors=Count("pk", filter=DETRACTORS),
                         promoters=Count("pk", filter=PROMOTERS)).order_by()}
    totals = {key: sum(row[key] for row in grouped.values())
              for key in ("n", "detractors", "promoters")}
    weeks = _weeks(f)
    trend: dict = {}
    for row in (qs.filter(comment_theme__isnull=False)
                .annotate(week=TruncWeek("created_at")).values("comment_theme__theme", "week")
                .annotate(n=Count("pk")).order_by()):
        week = normalize_key(row["week"])
        trend.setdefault(row["comment_theme__theme"], {})[week] = row["n"]
    examples: dict = {}
    ranked = (qs.filter(comment_theme__isnull=False)
              .annotate(rank=Window(RowNumber(), partition_by=F("comment_theme__theme"),
                                    order_by=[F("comment_theme__similarity").desc(), F("pk").desc()]))
              .filter(rank__lte=EXAMPLES)
              .values("pk", "comment", "score", "metric", "comment_theme__theme"))
    for row in ranked:
        examples.setdefault(row["comment_theme__theme"], []).append(
            {"response": row["pk"], "comment": row["comment"], "score": row["score"],
             "metric": row["metric"]})
    rows = []
    for theme in themes:
        g = grouped.get(theme.pk, {"n": 0, "mean": None, "detractors": 0, "promoters": 0})
        rows.append({
            "id": theme.pk, "label": theme.label, "words": theme.words, "language": theme.language,
            "n": g["n"], "share": round(g["n"] / totals["n"], 4) if totals["n"] else 0.0,
            "mean_score": round(g["mean"], 2) if metric and g["mean"] is not None else None,
            "detractors": g["detractors"], "promoters": g["promoters"],
            "trend": [{"week": w.isoformat(), "n": trend.get(theme.pk, {}).get(w, 0)} for w in weeks],
            "examples": examples.get(theme.pk, []),
        })
    rows.sort(key=lambda r: (-r["n"], r["id"]))
    minimum = settings.HELPDESK_MIN_RESPONSES
    return {
        "n_comments": totals["n"], "n_unthemed": grouped.get(None, {}).get("n", 0),
        "n_detractor_comments": totals["detractors"], "n_promoter_comments": totals["promoters"],
        "metric": metric, "kind": kind, "fitted_at": model.fitted_at if model else None,
        "too_few": totals["n"] < minimum, "min_responses": minimum,
        "reason": (_("Fewer than %(min)d comments in this selection.") % {"min": minimum}
                   if totals["n"] < minimum else ""),
        "themes": rows,
        "detractor_themes": _segment(rows, "detractors", totals["detractors"]),
        "promoter_themes": _segment(rows, "promoters", totals["promoters"]),
    }


def _segment(rows: list[dict], key: str, total: int) -> list[dict]:
    """The themes among detractors (or promoters): n and share within that group."""
    out = [{"id": r["id"], "label": r["label"], "n": r[key],
            "share": round(r[key] / total, 4) if total else 0.0} for r in rows if r[key]]
    return sorted(out, key=lambda r: (-r["n"], r["id"]))
