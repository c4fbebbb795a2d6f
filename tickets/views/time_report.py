"""The time report (managers): time logged per agent, team, channel or custom dropdown
value over a period, as a page or CSV (docs/time-tracking.md). One grouped query."""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import Action
from audit.services import record
from helpdesk.params import param_day
from helpdesk.permissions import staff_required

from .. import policy
from ..models import Channel, CustomField, TimeEntry

DIMENSIONS = {"agent": gettext_lazy("Agent"), "team": gettext_lazy("Team"),
              "channel": gettext_lazy("Channel"), "field": gettext_lazy("Custom field")}
MAX_DAYS = 366 * 2


def _period(params) -> tuple[date, date]:
    today = timezone.localdate()
    start = param_day(params, "from") or today - timedelta(days=29)
    end = param_day(params, "to") or today
    if end < start:
        raise ValidationError({"to": _("The end must not be before the start.")})
    if (end - start).days > MAX_DAYS:
        raise ValidationError({"to": _("At most two years at a time.")})
    return start, end


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Local midnight of ``start`` to local midnight after ``end`` (half-open)."""
    return (timezone.make_aware(datetime.combine(start, time.min)),
            timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)))


def report_rows(*, start: date, end: date, by: str, field: CustomField | None) -> list[dict]:
    """Rows of (label, seconds, entries, tickets), largest first."""
    low, high = day_bounds(start, end)
    entries = TimeEntry.objects.filter(worked_at__gte=low, worked_at__lt=high,
                                       seconds__isnull=False)
    if by == "agent":
        keyed = entries.values(key=F("agent_id"), name=F("agent__name"),
                               email=F("agent__email"))
    elif by == "team":
        keyed = entries.values(key=F("team_id"), name=F("team__name"))
    elif by == "channel":
        keyed = entries.values(key=F("ticket__channel"))
    else:
        keyed = entries.filter(ticket__field_values__field=field).values(
            key=F("ticket__field_values__value"))
    rows = (keyed.annotate(seconds=Sum("seconds"), entries=Count("pk"),
                           tickets=Count("ticket_id", distinct=True))
            .order_by("-seconds"))
    return [{**row, "label": _label(by, row, field), "hours": row["seconds"] / 3600}
            for row in rows]


def _label(by: str, row: dict, field: CustomField | None) -> str:
    if by == "agent":
        return row["name"] or row["email"]
    if by == "team":
        return row["name"] or _("No team")
    if by == "channel":
        return str(Channel(row["key"]).label) if row["key"] in Channel.values else row["key"]
    return field.option_label(row["key"])


def _csv(rows: list[dict], *, by_label: str, start: date, end: date) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="time-{start}-{end}.csv"'
    writer = csv.writer(response)
    writer.writerow([by_label, _("Hours"), _("Entries"), _("Tickets")])
    for row in rows:
        writer.writerow([row["label"], f"{row['seconds'] / 3600:.2f}", row["entries"],
                         row["tickets"]])
    return response


@staff_required
def report(request: HttpRequest) -> HttpResponse:
    if not policy.sees_all(request.user):
        raise PermissionDenied
    params = request.GET
    fields = list(CustomField.objects.filter(active=True, type=CustomField.Type.DROPDOWN))
    by = params.get("by") if params.get("by") in DIMENSIONS else "agent"
    field = next((f for f in fields if f.key == params.get("field")), fields[0] if fields
                 else None)
    if by == "field" and field is None:
        by = "agent"
    errors = {}
    try:
        start, end = _period(params)
    except ValidationError as exc:
        errors = exc.message_dict
        start, end = _period({})
    rows = report_rows(start=start, end=end, by=by, field=field)
    by_label = field.label if by == "field" else str(DIMENSIONS[by])
    if params.get("format") == "csv" and not errors:
        record(action=Action.EXPORT, request=request,
               detail={"export": f"time-{start}-{end}.csv", "by": by})
        return _csv(rows, by_label=by_label, start=start, end=end)
    total = sum(r["seconds"] for r in rows)
    context = {"rows": rows, "by": by, "by_label": by_label, "dimensions": DIMENSIONS.items(),
               "fields": fields, "field": field, "start": start, "end": end, "total": total,
               "errors": errors, "typed": params}
    return render(request, "tickets/extras/time_report.html", context,
                  status=400 if errors else 200)
