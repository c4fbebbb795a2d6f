"""The summary and breakdown rows of the metrics API (docs/api.md), built from the figures of
the metric families, whichever source answered them (metrics/fast/read.py chooses)."""

from __future__ import annotations

from django.conf import settings

from helpdesk.models import User
from tickets.models import Channel, Team

from .. import stats
from ..definitions import RATES, TRENDS
from .periods import CURRENT

EMPTY = {"scores": {}, "invites": {}, "first": {}, "solved": {}, "volume": {}}


def pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _round(value, digits: int = 1):
    return None if value is None else round(value, digits)


def _too_few(n: int) -> bool:
    return n < settings.HELPDESK_MIN_RESPONSES


def nps_block(s: dict) -> dict:
    n, pro, det = s.get("nps_n") or 0, s.get("nps_promoters") or 0, s.get("nps_detractors") or 0
    return {
        "score": _round(stats.nps_score(pro, det, n)), "n": n, "promoters": pro,
        "passives": n - pro - det, "detractors": det,
        "margin_of_error": _round(stats.nps_margin(pro, det, n)), "too_few": _too_few(n),
    }


def csat_block(s: dict) -> dict:
    n, ok = s.get("csat_n") or 0, s.get("csat_satisfied") or 0
    interval = stats.wilson_interval(ok, n)
    return {
        "score": pct(ok, n), "mean": _round((s.get("csat_sum") or 0) / n, 2) if n else None,
        "n": n, "satisfied": ok,
        "ci_low": _round(interval[0]) if interval else None,
        "ci_high": _round(interval[1]) if interval else None, "too_few": _too_few(n),
    }


def ces_block(s: dict) -> dict:
    n, easy = s.get("ces_n") or 0, s.get("ces_easy") or 0
    return {
        "score": _round((s.get("ces_sum") or 0) / n, 2) if n else None,
        "easy_pct": pct(easy, n), "n": n, "easy": easy, "too_few": _too_few(n),
    }


def time_block(t: dict) -> dict:
    return {
        "median_seconds": _round(t.get("p50"), 0), "p90_seconds": _round(t.get("p90"), 0),
        "sla_met_pct": pct(t.get("met") or 0, t.get("with_target") or 0),
        "n": t.get("timed_n") or 0, "with_target": t.get("with_target") or 0,
        "met": t.get("met") or 0,
    }


def rates(*, solved: dict, volume: dict) -> dict:
    """Every Rate of definitions.py: its count ÷ the tickets of its anchor, in percent."""
    by_anchor = {"solved": solved, "created": volume}
    return {r.field: pct(by_anchor[r.anchor].get(r.count) or 0,
                          by_anchor[r.anchor].get(r.anchor) or 0) for r in RATES}


def build_row(*, scores: dict, invites: dict, first: dict, solved: dict, volume: dict) -> dict:
    delivered = invites.get("delivered") or 0
    tickets_solved = solved.get("solved") or 0
    return {
        "nps": nps_block(scores), "csat": csat_block(scores), "ces": ces_block(scores),
        "response_rate": pct(invites.get("answered") or 0, delivered),
        "invitations_delivered": delivered, "responses_to_invitations": invites.get("answered") or 0,
        "first_response": time_block(first), "resolution": time_block(solved),
        **rates(solved=solved, volume=volume),
        "tickets_created": volume.get("created") or 0, "tickets_solved": tickets_solved,
        "backlog": volume.get("backlog"),
    }


def breakdown_rows(parts: dict, by: str, labels: dict | None = None) -> list[dict]:
    """Rows of a breakdown from its {key: {period: build_row arguments}}."""
    labels = group_labels(by, parts) if labels is None else labels
    rows = []
    for key in sorted(parts, key=lambda k: (k is None, str(k) if by not in TRENDS else k)):
        row = build_row(**parts[key][CURRENT])
        rows.append({"key": key.isoformat() if hasattr(key, "isoformat") else key,
                     "label": labels.get(key, str(key)), **row})
    if by not in TRENDS:
        rows.sort(key=lambda r: r["label"].lower())
    return rows


def known_labels(keys, known: dict | None) -> dict | None:
    """Labels from names the caller has, when they name every key; else None (ask)."""
    ids = [k for k in keys if k is not None]
    if known is None or any(k not in known for k in ids):
        return None
    return {None: str(_unassigned())} | {k: known[k] for k in ids}


def group_labels(by: str, keys) -> dict:
    """Display names for group keys: one query for agents or teams, none otherwise."""
    ids = [k for k in keys if k is not None]
    unassigned = {None: str(_unassigned())}
    if by == "agent":
        return unassigned | {u.pk: str(u) for u in User.objects.filter(pk__in=ids)}
    if by == "team":
        return unassigned | {t.pk: t.name for t in Team.objects.filter(pk__in=ids)}
    if by == "channel":
        return {value: str(label) for value, label in Channel.choices} | unassigned
    return {k: k.isoformat() for k in ids}


def _unassigned():
    from django.utils.translation import gettext

    return gettext("(none)")
