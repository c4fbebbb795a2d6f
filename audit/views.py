"""The audit log page for admins: filters by action, actor and period, CSV export."""

from __future__ import annotations

import csv
from datetime import datetime, time, timedelta
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from helpdesk.models import User

from .models import Action, AuditEntry
from .services import record

CSV_LIMIT = 100_000


def is_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active
                and (user.is_superuser or user.role == User.Role.ADMIN))


def admin_required(view):
    """Admins only; anyone else is refused with a message, and the refusal is logged."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_admin(request.user):
            if request.GET.get("format") == "csv":
                record(action=Action.EXPORT_REFUSED, request=request,
                       detail={"export": "audit-log.csv", "reason": "not_admin"})
            raise PermissionDenied(_("Only administrators may read the audit log."))
        return view(request, *args, **kwargs)
    return wrapper


def _filters(request: HttpRequest) -> tuple[dict, dict, list[str]]:
    params = {k: request.GET.get(k, "").strip() for k in ("action", "actor", "from", "to")}
    errors, q = [], {}
    if params["action"]:
        if params["action"] in Action.values:
            q["action"] = params["action"]
        else:
            errors.append(_("Unknown action “%(v)s”.") % {"v": params["action"][:40]})
    if params["actor"]:
        q["actor_email__iexact"] = params["actor"]
    for key, lookup, shift in (("from", "at__gte", 0), ("to", "at__lt", 1)):
        if params[key]:
            try:
                day = parse_date(params[key])
            except ValueError:
                day = None
            if day is None or not (2000 <= day.year <= 2100):
                errors.append(_("“%(v)s” is not a date (YYYY-MM-DD).") % {"v": params[key][:20]})
                continue
            q[lookup] = timezone.make_aware(datetime.combine(day + timedelta(days=shift), time()))
    return params, q, errors


@admin_required
def log(request: HttpRequest) -> HttpResponse:
    params, q, errors = _filters(request)
    entries = AuditEntry.objects.filter(**q)
    if request.GET.get("format") == "csv" and not errors:
        return _csv(request, entries, params)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {
        "page": page, "params": params, "errors": errors, "actions": Action.choices,
    }, status=400 if errors else 200)


class _Echo:
    def write(self, value):
        return value


def _csv(request, entries, params) -> StreamingHttpResponse:
    record(action=Action.EXPORT, request=request,
           detail={"export": "audit-log.csv", "filters": {k: v for k, v in params.items() if v}})
    writer = csv.writer(_Echo())
    header = ["at", "action", "actor", "ip", "user_agent", "target_type", "target_id",
              "target", "detail"]

    def rows():
        yield writer.writerow(header)
        for e in entries[:CSV_LIMIT].iterator(chunk_size=2000):
            yield writer.writerow([e.at.isoformat(), e.action, e.actor_email, e.ip or "",
                                   e.user_agent, e.target_type, e.target_id, e.target_label,
                                   e.detail])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response
