"""``POST /support/chat/``: the widget starts a chat (docs/live-chat.md).

Cross-origin like the widget's ticket endpoint (tickets/portal/widget.py), whose CORS
answer, honeypot form and rate limits it shares. A customer signed in to the portal
is recognised: the chat is theirs whatever name and email the form carries.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from helpdesk.files import serve_stored_file
from helpdesk.throttle import ThrottleUnavailable
from tickets.models import Attachment, Channel
from tickets.portal import auth
from tickets.portal.forms import WidgetTicketForm
from tickets.portal.views import rate_limited
from tickets.portal.widget import (
    WIDGET_TICKETS_PER_EMAIL,
    WIDGET_TICKETS_PER_IP,
    cors,
    json_fields,
    origin_refused,
    widget_endpoint,
)
from tickets.replies.files import FIELD as FILES_FIELD

from . import hours, services
from .models import Chat
from .tokens import TokenError, make_token, read_token

#: Uploads a chat's visitor may make per hour (each up to HELPDESK_MAX_REPLY_FILES files).
FILE_UPLOADS_PER_CHAT = 30
#: Room for the multipart envelope and a caption on top of the files' own limit.
_ENVELOPE_BYTES = 64 * 1024


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
        "attach": _("Attach files"), "uploading": _("Uploading…"),
        "upload_error": _("The file could not be sent. Please try again."),
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


# -- files (docs/live-chat.md, "Files") ------------------------------------------------
# The visitor's token is the credential (no cookie rides along from another site), so
# these endpoints are CSRF-exempt like the chat start: a forged request without the
# token can do nothing, and the token never leaves the visitor's own page.


def _token_refusal(token: str) -> int | JsonResponse:
    """The chat id the token names, or the 403 that says why it cannot be used."""
    try:
        return read_token(token)
    except TokenError as problem:
        if problem.expired:
            return JsonResponse({"code": "expired", "error": _(
                "This chat has expired. Start a new chat to send files.")}, status=403)
        return JsonResponse({"code": "forged", "error": _("This chat link is not valid.")},
                            status=403)


def errors_of(refusal: ValidationError) -> dict:
    if hasattr(refusal, "error_dict"):
        return {field: [m for e in items for m in e.messages]
                for field, items in refusal.error_dict.items()}
    return {FILES_FIELD: refusal.messages}


def too_big(request: HttpRequest) -> JsonResponse | None:
    """A 413 before the body is read when the request is larger than the files may be."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    limit = settings.HELPDESK_MAX_REPLY_ATTACHMENT_BYTES
    if length > limit + _ENVELOPE_BYTES:
        return JsonResponse({"errors": {FILES_FIELD: [
            _("The files come to %(size)s, more than the limit of %(limit)s per message.")
            % {"size": filesizeformat(length), "limit": filesizeformat(limit)}]}}, status=413)
    return None


def uploads(request: HttpRequest) -> list | JsonResponse:
    files = request.FILES.getlist(FILES_FIELD)
    if not files:
        return JsonResponse({"errors": {FILES_FIELD: [_("Choose at least one file.")]}},
                            status=400)
    return files


@csrf_exempt
@never_cache
def upload(request: HttpRequest, token: str) -> HttpResponse:
    """``POST /support/chat/<token>/files/`` (multipart: ``attachments``, optional
    ``body``): the visitor's files as a message of their chat, announced on the sockets."""
    if request.method == "OPTIONS":
        return cors(request, HttpResponse(status=204))
    if request.method != "POST":
        return cors(request, JsonResponse({"error": _("Method not allowed.")}, status=405))
    if origin_refused(request):
        return cors(request, JsonResponse({"error": _("This site may not use the widget.")},
                                          status=403))
    return cors(request, _upload(request, token))


def _upload(request: HttpRequest, token: str) -> JsonResponse:
    chat_id = _token_refusal(token)
    if isinstance(chat_id, JsonResponse):
        return chat_id
    refused = too_big(request)
    if refused is not None:
        return refused
    chat = (Chat.objects.select_related("ticket__customer").filter(pk=chat_id).first())
    if chat is None:
        return JsonResponse({"code": "not_found", "error": _("No such chat.")}, status=404)
    try:
        if auth.over_limit("chat-files", str(chat.pk), limit=FILE_UPLOADS_PER_CHAT):
            return JsonResponse({"error": _("Too many files. Please try again later.")},
                                status=429)
    except ThrottleUnavailable:
        return JsonResponse({"error": _("Sending is not possible right now. "
                                        "Please try again in a minute.")}, status=503)
    files = uploads(request)
    if isinstance(files, JsonResponse):
        return files
    try:
        message = services.visitor_message(chat=chat, body=request.POST.get("body"),
                                           files=files)
    except ValidationError as refusal:
        return JsonResponse({"errors": errors_of(refusal)}, status=400)
    return JsonResponse({"message": message.pk,
                         "files": [a.pk for a in message.chat_files]}, status=201)


@never_cache
def download(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    """``GET /support/chat/<token>/files/<id>/``: a public file of the token's own chat,
    served like every user file (helpdesk/files.py: a download unless a safe image)."""
    chat_id = _token_refusal(token)
    if isinstance(chat_id, JsonResponse):
        return chat_id
    item = (Attachment.objects.filter(pk=pk, message__public=True,
                                      message__ticket__chat__pk=chat_id).first())
    if item is None:
        return JsonResponse({"code": "not_found", "error": _("No such file in this chat.")},
                            status=404)
    return serve_stored_file(item.file, filename=item.filename, content_type=item.content_type)
