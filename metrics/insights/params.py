"""Query parameters of the insights: the metric filters (metrics.filters) plus the
insight's own; an unknown name or value is a ValidationError naming the parameter."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from helpdesk.params import param_choice
from surveys.models import Kind, Metric

from ..filters import MetricFilters, parse_filters

FILTER_NAMES = ("from", "to", "days", "channel", "agent", "team", "tier", "priority")
# Renderer and pagination switches DRF and the pages read themselves.
SWITCHES = ("format", "page")


def check_names(params, allowed: tuple[str, ...]) -> None:
    for name in params:
        if name not in (*FILTER_NAMES, *SWITCHES, *allowed):
            raise ValidationError({name: _("Unknown parameter. Known: %(names)s.")
                                   % {"names": ", ".join((*FILTER_NAMES, *allowed))}})


def metric_param(params, *, default: str | None = None) -> str:
    """The metric; required unless ``default`` is given ("" for "every metric")."""
    metric = param_choice(params, "metric", Metric)
    if not metric and default is not None:
        return default
    if not metric:
        raise ValidationError({"metric": _("Choose one of: %(values)s.")
                               % {"values": ", ".join(Metric.values)}})
    return metric


def kind_param(params) -> str:
    """The survey kind of the answers: transactional unless asked (docs/insights.md); the
    two kinds are never mixed in one figure."""
    return param_choice(params, "kind", Kind) or Kind.TRANSACTIONAL


def factor_param(params, known: list[str]) -> list[str] | None:
    """``factor`` repeated or comma-separated; None means every factor."""
    raw = params.getlist("factor") if hasattr(params, "getlist") else [params.get("factor", "")]
    names = [n.strip() for value in raw for n in (value or "").split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValidationError({"factor": _("Unknown factor %(name)s. Choose from: %(values)s.")
                               % {"name": unknown[0], "values": ", ".join(known)}})
    return names or None


def insight_filters(params, *, me_id: int | None, allowed: tuple[str, ...]) -> MetricFilters:
    check_names(params, allowed)
    return parse_filters(params, me_id=me_id)
