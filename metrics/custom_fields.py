"""The dashboard's breakdown by a custom dropdown field (docs/custom-fields.md).

Live, grouped SQL: one query over the tickets of the period joined to their value of
the field (the ``(ticket, field, value)`` unique index answers each ticket's probe),
one over the period's survey responses joined the same way. The figures keep the
definitions of ``metrics.queries.summary`` (CSAT %, NPS, FCR, reopen rate)."""

from __future__ import annotations

from django.db.models import Count, F, Q

from tickets.models import CustomField, TicketFieldValue

from .definitions import RATES, TICKET_COUNTS
from .filters import MetricFilters
from .queries.families import filtered_responses, filtered_tickets, score_aggregates
from .queries.summary import csat_block, nps_block, pct
from .queries.ticket_figures import prefixed


def dropdown_fields() -> list[CustomField]:
    return list(CustomField.objects.filter(active=True, type=CustomField.Type.DROPDOWN))


def _ticket_rows(f: MetricFilters, field: CustomField) -> dict[str, dict]:
    created = Q(ticket__created_at__gte=f.start, ticket__created_at__lt=f.end)
    solved = Q(ticket__solved_at__gte=f.start, ticket__solved_at__lt=f.end,
               ticket__is_spam=False, ticket__merged_into__isnull=True)
    rows = (TicketFieldValue.objects.filter(field=field, **filtered_tickets(f, "ticket__"))
            .filter(created | solved).values("value")
            .annotate(created=Count("ticket_id", filter=created),
                      solved=Count("ticket_id", filter=solved),
                      **{c.name: Count("ticket_id", filter=(created if c.anchor == "created"
                                                            else solved)
                                       & prefixed(c.condition, "ticket__"))
                         for c in TICKET_COUNTS})
            .order_by())
    return {row["value"]: row for row in rows}


def _score_rows(f: MetricFilters, field: CustomField) -> dict[str, dict]:
    wanted = ("csat_n", "csat_satisfied", "nps_n", "nps_promoters", "nps_detractors")
    rows = (filtered_responses(f).filter(ticket__field_values__field=field)
            .values(value=F("ticket__field_values__value"))
            .annotate(**{name: score_aggregates()[name] for name in wanted})
            .order_by())
    return {row["value"]: row for row in rows}


def breakdown(f: MetricFilters, field: CustomField) -> list[dict]:
    """A row per option of the field, in the field's order (two queries)."""
    tickets, scores = _ticket_rows(f, field), _score_rows(f, field)
    rows = []
    for key, label in field.option_choices:
        t, s = tickets.get(key, {}), scores.get(key, {})
        solved = t.get("solved", 0)
        rows.append({"key": key, "label": label, "created": t.get("created", 0),
                     "solved": solved,
                     **{r.field: pct(t.get(r.count, 0), t.get(r.anchor, 0)) for r in RATES},
                     "csat": csat_block(s), "nps": nps_block(s)})
    return rows


def dashboard_section(params, f: MetricFilters) -> dict:
    """The dashboard's context: the dropdowns to choose from and the chosen one's rows."""
    fields = dropdown_fields()
    if not fields:
        return {"field_breakdown": None}
    chosen = next((x for x in fields if x.key == params.get("cf")), fields[0])
    return {"field_breakdown": {"fields": fields, "field": chosen, "rows": breakdown(f, chosen)}}


