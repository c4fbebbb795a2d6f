"""One message's HTML as its own small page, shown in a sandboxed frame of the ticket page.

The page has its own Content-Security-Policy: no script at all, styles and images from our
origin only, and remote images (``https:``/``http:``) only when the agent pressed "Show images" for
this message (``?images=1``). A page-wide policy cannot loosen itself after a click, so the
frame is reloaded under a different policy instead (docs/security.md).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from helpdesk.permissions import staff_required

from ..mail_html import render_email_html
from ..models import Attachment, Message
from ..queries import visible_tickets

FRAME_SANDBOX = "allow-same-origin allow-popups allow-popups-to-escape-sandbox"


def frame_csp(*, show_remote: bool) -> str:
    # Once asked for, plain-http images load too (old newsletters use them; on an https
    # site the browser upgrades or blocks them as mixed content anyway).
    images = "'self' data: https: http:" if show_remote else "'self' data:"
    return ("default-src 'none'; style-src 'self'; "
            f"img-src {images}; base-uri 'none'; form-action 'none'; "
            f"frame-ancestors 'self'; sandbox {FRAME_SANDBOX}")


@never_cache
@xframe_options_sameorigin
@require_GET
@staff_required
def message_html(request: HttpRequest, pk: int) -> HttpResponse:
    message = (Message.objects.filter(pk=pk, ticket__in=visible_tickets(request.user))
               .only("pk", "body_html").first())
    if message is None or not message.body_html:
        raise Http404
    cid_urls = {a.content_id: reverse("tickets:attachment", args=[a.pk])
                for a in Attachment.objects.filter(message=message).exclude(content_id="")
                .only("pk", "content_id")}
    show_remote = request.GET.get("images") == "1"
    rendered = render_email_html(message.body_html, cid_urls=cid_urls, show_remote=show_remote)
    response = render(request, "tickets/email_frame.html", {"html": rendered.html})
    response["Content-Security-Policy"] = frame_csp(show_remote=show_remote)
    response["Referrer-Policy"] = "no-referrer"
    return response
