"""The queues of the ticket list: which tickets each shows, filters and sort orders.

Each queue is a Q over the tickets the agent may see, so the counts beside every
queue come from one aggregate query (Count with filter=...).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Count, IntegerField, Q, QuerySet, Value
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from ..custom_field_query import field_params, filter_by_fields
from ..models import PRIORITY_RANK, STATUS_RANK, Organization, Ticket

S = Ticket.Status
RECENT_DAYS = 7
SLA_RISK_WINDOW = timedelta(hours=1)


def _recently_solved(now) -> Q:
    return Q(status__in=[S.SOLVED, S.CLOSED], solved_at__gte=now - timedelta(days=RECENT_DAYS))


def _sla_at_risk(now) -> Q:
    soon = now + SLA_RISK_WINDOW
    # An unresolved ticket's resolution clock runs: no resolution time is stored until it
    # is solved (and a reopen clears it). Said again here so that the SLA rows are read
    # from their partial index (sla_running_idx) instead of all of them.
    return Q(status__in=Ticket.UNRESOLVED, sla__resolution_calendar_seconds__isnull=True) & (
        Q(sla__first_response_breached=True)
        | Q(sla__resolution_breached=True)
        | Q(first_response_at__isnull=True, sla__first_response_due_at__lte=soon)
        | Q(sla__next_response_due_at__lte=soon)
        | Q(sla__resolution_due_at__lte=soon)
    )


def queue_conditions(user, now) -> dict[str, Q]:
    """Queue key → condition, in the order shown in the sidebar."""
    unresolved = Q(status__in=Ticket.UNRESOLVED)
    return {
        "mine": unresolved & Q(assignee=user),
        "unassigned": unresolved & Q(assignee__isnull=True),
        "open": unresolved,
        "pending": Q(status=S.PENDING),
        "solved": _recently_solved(now),
        "sla": _sla_at_risk(now),
    }


QUEUE_LABELS = {
    "mine": _("My open tickets"),
    "unassigned": _("Unassigned"),
    "open": _("All open"),
    "pending": _("Pending"),
    "solved": _("Recently solved"),
    "sla": _("SLA at risk or breached"),
    "all": _("All tickets"),
}


def queue_counts(tickets: QuerySet[Ticket], conditions: dict[str, Q]) -> dict[str, int]:
    """Every queue's count in one query: one COUNT(*) per queue, joined with UNION ALL,
    so that each reads only its own queue's index entries (the partial indexes on
    unresolved and on solved tickets, Ticket.Meta) and joins SLA clocks only for the SLA
    queue. One aggregate with a FILTER per queue read every ticket of the widest queue
    joined with its SLA row: 346 ms of a 1 M-ticket queue page (docs/performance.md)."""
    parts = [tickets.filter(condition).order_by()
             .annotate(queue=Value(position, output_field=IntegerField()))
             .values("queue").annotate(n=Count("*"))
             for position, condition in enumerate(conditions.values())]
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    found = {row["queue"]: row["n"] for row in rows}
    return {key: found.get(position, 0) for position, key in enumerate(conditions)}


# Sort key → order_by arguments; "-" in the query string reverses every one of them.
# Priority and status sort by rank (docs/performance.md): "priority" puts urgent first,
# newest first within a priority; "status" follows the lifecycle. A sort reads along
# one index in either direction, so the tie-breaker goes the same way as the key.
SORTS = {
    "reference": ("pk",),
    "subject": ("subject", "pk"),
    "status": ("status_rank", "pk"),
    "priority": ("-priority_rank", "-pk"),
    "updated": ("updated_at", "pk"),
    "created": ("created_at", "pk"),
    "waiting": ("waiting_since", "pk"),
    "sla": ("sla__resolution_due_at", "pk"),
}
RANKS = {"priority_rank": PRIORITY_RANK, "status_rank": STATUS_RANK}
DEFAULT_SORT = "-updated"


def _reversed(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"


def apply_sort(tickets: QuerySet[Ticket], sort: str) -> tuple[QuerySet[Ticket], str]:
    key = sort.lstrip("-")
    if key not in SORTS:
        sort, key = DEFAULT_SORT, DEFAULT_SORT.lstrip("-")
    fields = [_reversed(f) if sort.startswith("-") else f for f in SORTS[key]]
    ranks = {name: rank for name, rank in RANKS.items() if name in SORTS[key][0]}
    return tickets.alias(**ranks).order_by(*fields), sort


FILTER_FIELDS = ("status", "priority", "channel", "team", "assignee", "tag")

# The filters a number on the dashboards links with (metrics/links.py), so the list
# holds exactly the tickets behind the number. Periods are half-open like the
# dashboards': "<name>_after" inclusive, "<name>_before" exclusive.
PERIOD_ANCHORS = {"created": "created_at", "solved": "solved_at",
                  "responded": "first_response_at"}
SLA_CLOCKS = {"first_response": ("sla__first_response_due_at", "sla__first_response_breached"),
              "resolution": ("sla__resolution_due_at", "sla__resolution_breached")}
FIGURE_FIELDS = (*(f"{anchor}_{edge}" for anchor in PERIOD_ANCHORS for edge in ("after", "before")),
                 "tier", "sla_target", "timed", "breached", "fcr", "reopened", "counted")
# The business time a median or p90 of the dashboards is taken over (metrics/links.py).
TIMED_CLOCKS = {"first_response": "sla__first_response_business_seconds",
                "resolution": "sla__resolution_business_seconds"}


def is_filtered(params) -> bool:
    return (any(params.get(f) for f in (*FILTER_FIELDS, *FIGURE_FIELDS))
            or bool(field_params(params)))  # custom fields, field_<key>


def parse_moment(value: str) -> datetime | None:
    """An ISO date-time, or a date meaning its local midnight; None when malformed."""
    value = (value or "").strip()
    if not value:  # the usual case: every list checks each dashboard filter's two edges
        return None
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = datetime.combine(day, time.min) if day else None
    except ValueError:  # well-formed but impossible, e.g. 2026-02-30
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def apply_filters(tickets: QuerySet[Ticket], params, user) -> QuerySet[Ticket]:
    """The filters of the list and of saved filters (same query-string names as the API).

    Malformed values are ignored (the list shows the tickets of the other filters)."""
    statuses = [value for value in params.get("status", "").split(",") if value in S.values]
    if statuses:  # one status, or several separated by commas like the API's
        tickets = tickets.filter(status__in=statuses)
    if params.get("priority") in Ticket.Priority.values:
        tickets = tickets.filter(priority=params["priority"])
    if params.get("channel"):
        tickets = tickets.filter(channel=params["channel"])
    if params.get("team", "").isdigit():
        tickets = tickets.filter(team_id=int(params["team"]))
    assignee = params.get("assignee", "")
    if assignee == "me":
        tickets = tickets.filter(assignee=user)
    elif assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    elif assignee.isdigit():
        tickets = tickets.filter(assignee_id=int(assignee))
    if params.get("tag"):
        tickets = tickets.filter(tags__name=params["tag"].strip().lower())
    tickets = filter_by_fields(tickets, params, strict=False)  # docs/custom-fields.md
    return apply_figure_filters(tickets, params)


def figure_params(params) -> list[tuple[str, str]]:
    """The dashboard filters of this list, for hidden inputs: changing a dropdown keeps them."""
    return [(name, params[name]) for name in FIGURE_FIELDS if params.get(name)]


def status_choices(params) -> list[tuple[str, str]]:
    """The status dropdown's choices, plus the dashboard's several-statuses value when
    the list was opened with one (e.g. the backlog's "new,open,pending,on_hold")."""
    choices = list(S.choices)
    wanted = [value for value in params.get("status", "").split(",") if value in S.values]
    if len(wanted) > 1:
        label = ", ".join(str(S(value).label) for value in wanted)
        choices.append((",".join(wanted), label))
    return choices


def describe_figure_filters(params) -> list[str]:
    """In words, the dashboard filters of this list ("created 1.6.2026–7.6.2026", …)."""
    from django.utils.formats import date_format

    def day(moment: datetime) -> str:
        return date_format(timezone.localtime(moment).date(), "SHORT_DATE_FORMAT")

    names = {"created": _("created"), "solved": _("solved"),
             "responded": _("first response")}
    words = []
    for name in PERIOD_ANCHORS:
        after, before = (parse_moment(params.get(f"{name}_{edge}", ""))
                         for edge in ("after", "before"))
        if after or before:
            # The end is exclusive: midnight of the day after the last day shown.
            last = before - timedelta(microseconds=1) if before else None
            words.append(_("%(what)s %(start)s–%(end)s") % {
                "what": names[name], "start": day(after) if after else "…",
                "end": day(last) if last else "…"})
    if params.get("tier") in Organization.Tier.values:
        words.append(_("tier: %(tier)s") % {"tier": Organization.Tier(params["tier"]).label})
    targets = {"first_response": _("with a first-response target"),
               "resolution": _("with a resolution target")}
    breaches = {"first_response": _("first-response target breached"),
                "resolution": _("resolution target breached")}
    if params.get("sla_target") in SLA_CLOCKS:
        words.append(targets[params["sla_target"]])
    if params.get("timed") in TIMED_CLOCKS:
        words.append({"first_response": _("with a measured first-response time"),
                      "resolution": _("with a measured resolution time")}[params["timed"]])
    if params.get("breached") in SLA_CLOCKS:
        words.append(breaches[params["breached"]])
    if params.get("fcr") == "1":
        words.append(_("solved at first contact"))
    if params.get("reopened") == "1":
        words.append(_("reopened"))
    if params.get("counted") == "1":
        words.append(_("no spam or merged tickets"))
    return words


def apply_figure_filters(tickets: QuerySet[Ticket], params) -> QuerySet[Ticket]:
    """The filters only the dashboards' links use (the definitions of metrics/queries)."""
    conditions = {}
    for name, field in PERIOD_ANCHORS.items():
        after, before = (parse_moment(params.get(f"{name}_{edge}", ""))
                         for edge in ("after", "before"))
        if after:
            conditions[f"{field}__gte"] = after
        if before:
            conditions[f"{field}__lt"] = before
    if params.get("tier") in Organization.Tier.values:
        conditions["customer__organization__tier"] = params["tier"]
    if params.get("sla_target") in SLA_CLOCKS:  # tickets the SLA-met share counts
        conditions[f"{SLA_CLOCKS[params['sla_target']][0]}__isnull"] = False
    if params.get("timed") in TIMED_CLOCKS:  # tickets a median/p90 is taken over
        conditions[f"{TIMED_CLOCKS[params['timed']]}__isnull"] = False
    if params.get("breached") in SLA_CLOCKS:
        due, breached = SLA_CLOCKS[params["breached"]]
        conditions |= {f"{due}__isnull": False, breached: True}
    if params.get("fcr") == "1":  # solved with one public reply and never reopened
        conditions |= {"public_reply_count": 1, "reopen_count": 0}
    if params.get("reopened") == "1":
        conditions["reopen_count__gt"] = 0
    if params.get("counted") == "1":  # what the metrics count: no spam, no merged tickets
        conditions |= {"is_spam": False, "merged_into__isnull": True}
    return tickets.filter(**conditions) if conditions else tickets


def now():
    return timezone.now()
