"""Dashboard tiles: a headline number, its n, and its change against another sample."""

from __future__ import annotations

import dataclasses

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from . import stats
from .definitions import RATES, Rate


@dataclasses.dataclass
class Tile:
    key: str
    label: str
    value: float | None
    n: int | None
    unit: str = ""
    previous: float | None = None
    too_few: bool = False
    comparison: stats.Comparison | None = None
    margin: str = ""
    link: str = ""
    higher_is_better: bool = True

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, 1)

    @property
    def verdict(self) -> str:
        """Whether the change is larger than the noise (only for scores with a test)."""
        if self.comparison is None or self.comparison.p_value is None:
            return ""
        if self.comparison.significant:
            return str(_("larger than the noise"))
        return str(_("within the noise"))


def _nps_counts(block: dict) -> tuple[int, int, int]:
    return block["promoters"], block["detractors"], block["n"]


def score_comparisons(a: dict, b: dict) -> dict[str, stats.Comparison]:
    """Significance of the differences between two summaries (two periods or two agents)."""
    return {
        "nps": stats.compare_nps(_nps_counts(a["nps"]), _nps_counts(b["nps"])),
        "csat": stats.compare_proportions((a["csat"]["satisfied"], a["csat"]["n"]),
                                          (b["csat"]["satisfied"], b["csat"]["n"])),
        "ces_easy": stats.compare_proportions((a["ces"]["easy"], a["ces"]["n"]),
                                              (b["ces"]["easy"], b["ces"]["n"])),
        **{r.key: stats.compare_proportions(_rate_counts(a, r), _rate_counts(b, r))
           for r in RATES if r.compared},
    }


def _rate_counts(row: dict, rate: Rate) -> tuple[int, int]:
    """(count, its denominator) of a Rate, back from the row's percentage."""
    whole = row[rate.denominator]
    return round((row[rate.field] or 0) * whole / 100), whole


def _num(value) -> str:
    """A figure in the page language's format (Finnish decimal comma)."""
    return number_format(value, use_l10n=True)


def headline_tiles(current: dict, previous: dict, links: dict[str, str]) -> list[Tile]:
    tests = score_comparisons(current, previous)
    nps, csat, ces = current["nps"], current["csat"], current["ces"]
    first, resolution = current["first_response"], current["resolution"]
    return [
        Tile("nps", str(_("NPS")), nps["score"], nps["n"], previous=previous["nps"]["score"],
             too_few=nps["too_few"], comparison=tests["nps"], link=links["nps"],
             margin=f"± {_num(nps['margin_of_error'])}" if nps["margin_of_error"] is not None
             else ""),
        Tile("csat", str(_("CSAT")), csat["score"], csat["n"], unit="%",
             previous=previous["csat"]["score"], too_few=csat["too_few"],
             comparison=tests["csat"], link=links["csat"],
             margin=f"{_num(csat['ci_low'])}–{_num(csat['ci_high'])} %" if csat["ci_low"] is not None
             else ""),
        Tile("csat_mean", str(_("CSAT mean (1–5)")), csat["mean"], csat["n"],
             previous=previous["csat"]["mean"], too_few=csat["too_few"], link=links["csat"]),
        Tile("ces", str(_("CES (1–7)")), ces["score"], ces["n"], previous=previous["ces"]["score"],
             too_few=ces["too_few"], link=links["ces"],
             margin=str(_("%(pct)s %% easy") % {"pct": _num(ces["easy_pct"])})
             if ces["easy_pct"] is not None else ""),
        Tile("response_rate", str(_("Response rate")), current["response_rate"],
             current["invitations_delivered"], unit="%", previous=previous["response_rate"],
             link=links["responses"]),
        Tile("first_response", str(_("First response SLA met")), first["sla_met_pct"],
             first["with_target"], unit="%", previous=previous["first_response"]["sla_met_pct"],
             link=links["first_response"]),
        Tile("resolution", str(_("Resolution SLA met")), resolution["sla_met_pct"],
             resolution["with_target"], unit="%",
             previous=previous["resolution"]["sla_met_pct"], link=links["resolution"]),
        *(Tile(r.key, str(r.label), current[r.field], current[r.denominator], unit="%",
               previous=previous[r.field], comparison=tests.get(r.key), link=links[r.anchor],
               higher_is_better=r.higher_is_better) for r in RATES),
        Tile("created", str(_("Tickets created")), current["tickets_created"], None,
             previous=previous["tickets_created"], link=links["created"]),
        Tile("solved", str(_("Tickets solved")), current["tickets_solved"], None,
             previous=previous["tickets_solved"], link=links["solved"]),
        Tile("backlog", str(_("Backlog (unresolved)")), current["backlog"], None,
             link=links["backlog"], higher_is_better=False),
    ]
