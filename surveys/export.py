"""CSV export of survey responses, streamed so a large export never sits in memory."""

from __future__ import annotations

import csv

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from audit.models import Action
from audit.services import record

from .filters import filter_responses
from .models import Response

COLUMNS = ["id", "created_at", "metric", "score", "scale_min", "scale_max", "comment",
           "ticket", "channel", "agent", "team", "organization", "organization_tier"]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(value) -> str:
    """Neutralise spreadsheet formulas in free text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _rows(responses: QuerySet[Response], *, tickets: bool):
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for r in responses.iterator(chunk_size=2000):
        yield writer.writerow([
            r.pk, timezone.localtime(r.created_at).isoformat(), r.metric, r.score, r.scale_min,
            r.scale_max, _safe(r.comment), r.ticket_id if tickets else "", r.channel,
            r.agent.email if r.agent else "", r.team.name if r.team else "",
            _safe(r.organization.name) if r.organization else "", r.organization_tier,
        ])


def responses_csv(responses: QuerySet[Response], params, *, me_id: int,
                  request=None) -> HttpResponse:
    """The CSV download, recorded in the audit log when ``request`` is given. Analysts get
    the ticket column empty (docs/roles.md)."""
    try:
        responses = filter_responses(responses, params, me_id=me_id)
    except ValidationError as exc:
        return HttpResponse("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()),
                            status=400, content_type="text/plain; charset=utf-8")
    responses = responses.select_related("agent", "team", "organization").order_by("-created_at")
    user = getattr(request, "user", None)
    if request is not None:
        record(action=Action.EXPORT, request=request,
               detail={"export": "survey-responses.csv",
                       "filters": {k: str(v)[:100] for k, v in params.items() if v}})
    rows = _rows(responses, tickets=not getattr(user, "is_analyst", False))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="survey-responses.csv"'
    return response
