"""The chat widget's JSON endpoint (cross-origin, so CSRF-exempt; honeypot and rate limit
instead) and a demo page that embeds the widget the way a customer's site would."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from helpdesk.throttle import ThrottleUnavailable

from ..models import Channel
from .forms import WidgetTicketForm
from .views import create_web_ticket, rate_limited

WIDGET_TICKETS_PER_IP = 10
WIDGET_TICKETS_PER_EMAIL = 5


def _allowed_origin(request: HttpRequest) -> str | None:
    """The Access-Control-Allow-Origin value for this request, None when refused."""
    origin = request.headers.get("Origin", "")
    allowed = settings.HELPDESK_WIDGET_ORIGINS
    if "*" in allowed:
        return "*"
    return origin if origin in allowed else None


def _cors(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    origin = _allowed_origin(request)
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type, Accept-Language"
        response["Access-Control-Max-Age"] = "86400"
    response["Vary"] = "Origin, Accept-Language"
    return response


def cors(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The widget's CORS headers on a response of another widget endpoint (the live
    chat's file upload, chat/visitor.py)."""
    return _cors(request, response)


def origin_refused(request: HttpRequest) -> bool:
    """A browser request from a site not in ``HELPDESK_WIDGET_ORIGINS``."""
    return bool(request.headers.get("Origin")) and _allowed_origin(request) is None


def _labels() -> dict[str, str]:
    return {
        "open": _("Contact us"), "title": _("Send us a message"), "name": _("Your name"),
        "email": _("Your email address"), "message": _("How can we help?"),
        "send": _("Send"), "close": _("Close"), "sending": _("Sending…"),
        "error": _("Sorry, your message could not be sent. Please try again."),
        "thanks": _("Thank you! Your reference is %(reference)s. We will reply by email."),
    }


def widget_endpoint(request: HttpRequest, *, config, create) -> HttpResponse:
    """One cross-origin widget endpoint: preflight, ``config()`` on GET, ``create(request)``
    on POST from an allowed origin; CORS headers on every answer (the ticket form here and
    the live chat's start, chat/visitor.py)."""
    if request.method == "OPTIONS":
        return _cors(request, HttpResponse(status=204))
    if request.method == "GET":
        return _cors(request, JsonResponse(config()))
    if request.method != "POST":
        return _cors(request, JsonResponse({"error": _("Method not allowed.")}, status=405))
    if request.headers.get("Origin") and _allowed_origin(request) is None:
        return _cors(request, JsonResponse({"error": _("This site may not use the widget.")},
                                           status=403))
    return _cors(request, create(request))


def json_fields(request: HttpRequest) -> dict[str, str] | JsonResponse:
    """The string fields of a JSON object body, or the 400 that says what is wrong."""
    try:
        data = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"errors": {"body": [_("The request body is not valid JSON.")]}},
                            status=400)
    if not isinstance(data, dict):
        return JsonResponse({"errors": {"body": [_("Send a JSON object.")]}}, status=400)
    return {k: v for k, v in data.items() if isinstance(v, str)}


@csrf_exempt
def widget_tickets(request: HttpRequest) -> HttpResponse:
    # GET: the widget's labels, in the visitor's language.
    return widget_endpoint(request, config=lambda: {"labels": _labels()}, create=_create)


def _create(request: HttpRequest) -> JsonResponse:
    fields = json_fields(request)
    if isinstance(fields, JsonResponse):
        return fields
    form = WidgetTicketForm(fields)
    if not form.is_valid():
        errors = {field: [e["message"] for e in items]
                  for field, items in form.errors.get_json_data().items()}
        return JsonResponse({"errors": errors}, status=400)
    if form.is_spam():
        return JsonResponse({"reference": ""}, status=201)
    fields = form.cleaned_data
    try:
        limited = rate_limited(request, fields["email"], per_ip=WIDGET_TICKETS_PER_IP,
                               per_email=WIDGET_TICKETS_PER_EMAIL, scope="widget")
    except ThrottleUnavailable:  # fail closed: no unlimited intake while limits are unknown
        return JsonResponse({"error": _("Sending is not possible right now. "
                                        "Please try again in a minute.")}, status=503)
    if limited:
        return JsonResponse({"error": _("Too many messages. Please try again later.")},
                            status=429)
    subject = fields["subject"] or fields["message"].strip().splitlines()[0][:80]
    ticket = create_web_ticket(name=fields["name"], email=fields["email"], subject=subject,
                               body=fields["message"], channel=Channel.CHAT)
    return JsonResponse({"reference": ticket.reference}, status=201)


def widget_demo(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/widget_demo.html")
