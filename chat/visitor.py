"""``POST /support/chat/``: the widget starts a chat (docs/live-chat.md).

Cross-origin like the widget's ticket endpoint (tickets/portal/widget.py), whose CORS
answer, honeypot form and rate limits it shares. A customer signed in to the portal
is recognised: the chat is theirs whatever name and email the form carries.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from helpdesk.throttle import ThrottleUnavailable
from tickets.models import Channel
from tickets.portal import auth
from tickets.portal.forms import WidgetTicketForm
from tickets.portal.views import rate_limited
from tickets.portal.widget import (
    WIDGET_TICKETS_PER_EMAIL,
    WIDGET_TICKETS_PER_IP,
    json_fields,
    widget_endpoint,
)

from . import hours, services
from .tokens import make_token


def labels() -> dict[str, str]:
    return {
        "open": _("Chat with us"), "title": _("Chat with us"), "name": _("Your name"),
        "email": _("Your email address"), "message": _("How can we help?"),
        "start": _("Start chat"), "send": _("Send"), "close": _("Close"),
        "sending": _("Sending…"), "placeholder": _("Write a message…"),
        "waiting": _("Waiting for an agent to join…"), "joined": _("%(name)s joined the chat."),
        "typing": _("%(name)s is typing…"), "agent": _("Agent"), "you": _("You"),
        "ended": _("The chat has ended. Thank you!"), "end": _("End chat"),
        "offline_title": _("Leave us a message"),
        "offline": _("Nobody is available to chat right now. Leave a message and we will "
                     "reply by email."),
        "closed": _("We are closed right now, so nobody can chat. Leave a message and we "
                    "will reply by email."),
        "offline_thanks": _("Thank you! Your reference is %(reference)s. We will reply by "
                            "email."),
        "comment": _("Anything to add? (optional)"), "rate": _("Send rating"),
        "rated": _("Thank you for your feedback!"),
        "error": _("Sorry, your message could not be sent. Please try again."),
        "reconnecting": _("Connection lost. Reconnecting…"),
    }


def widget_config(request: HttpRequest) -> dict:
    """What the widget needs before the visitor writes: labels, whether agents are
    online, and the signed-in portal customer, if any."""
    from tickets import routing

    customer = auth.current_customer(request)
    state = hours.availability(routing.default_team(channel=Channel.CHAT))
    return {
        "labels": labels(),
        "online": state == hours.OPEN,
        "offline_reason": "" if state == hours.OPEN else state,
        "chat_endpoint": request.build_absolute_uri(reverse("chat:start")),
        "customer": ({"name": customer.name, "email": customer.email} if customer else None),
    }


def _errors(form: WidgetTicketForm) -> dict:
    return {field: [e["message"] for e in items]
            for field, items in form.errors.get_json_data().items()}


@csrf_exempt
def start(request: HttpRequest) -> HttpResponse:
    return widget_endpoint(request, config=lambda: widget_config(request), create=_start)


def _start(request: HttpRequest) -> JsonResponse:
    fields = json_fields(request)
    if isinstance(fields, JsonResponse):
        return fields
    customer = auth.current_customer(request)
    if customer is not None:
        fields.update(name=customer.name or customer.email, email=customer.email)
    form = WidgetTicketForm(fields)
    if not form.is_valid():
        return JsonResponse({"errors": _errors(form)}, status=400)
    if form.is_spam():
        return JsonResponse({"offline": True, "ticket": ""}, status=200)
    try:
        if rate_limited(request, form.cleaned_data["email"], per_ip=WIDGET_TICKETS_PER_IP,
                        per_email=WIDGET_TICKETS_PER_EMAIL, scope="chat"):
            return JsonResponse({"error": _("Too many messages. Please try again later.")},
                                status=429)
    except ThrottleUnavailable:
        return JsonResponse({"error": _("Sending is not possible right now. "
                                        "Please try again in a minute.")}, status=503)
    try:
        started = services.start_chat(name=form.cleaned_data["name"],
                                      email=form.cleaned_data["email"],
                                      message=form.cleaned_data["message"])
    except services.ValidationError as refusal:
        return JsonResponse({"errors": refusal.message_dict}, status=400)
    reference = started.chat.ticket.reference
    if started.offline:
        return JsonResponse({"offline": True, "reason": started.reason, "ticket": reference},
                            status=200)
    token = make_token(started.chat.pk)
    return JsonResponse({"chat": started.chat.pk, "ticket": reference, "token": token,
                         "socket": f"/ws/chat/{token}/"}, status=201)
