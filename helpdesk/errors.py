"""The error pages: 400, 403, 404, 500 and the CSRF failure, styled and translated.

Each renders ``templates/errors/page.html``, a light layout that does not extend
``base.html`` and is rendered without context processors: the page must come up even
when the database, the session or a context processor is what failed (docs/pages.md).
LocaleMiddleware has already activated the request's language, so the text is translated.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils.functional import empty
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

#: Paths where the visitor is a customer: the way back leads to the portal.
CUSTOMER_PREFIXES = ("/support/", "/surveys/r/", "/surveys/unsubscribe/")


def _is_staff(request: HttpRequest, *, may_query: bool) -> bool:
    """Whether the visitor is signed-in staff. The 500 page does not load the user
    (that may be what failed); it uses the user only when the request already had it."""
    user = getattr(request, "user", None)
    if user is None:
        return False
    if not may_query and getattr(user, "_wrapped", None) is empty:
        return False
    try:
        from .permissions import is_staff_member

        return is_staff_member(user)
    except Exception:  # noqa: BLE001 - an error page must not fail
        logger.warning("error page: could not tell who the visitor is", exc_info=True)
        return False


def _url(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except Exception:  # noqa: BLE001
        return fallback


def _static(path: str) -> str:
    try:
        return static(path)
    except Exception:  # noqa: BLE001 - e.g. a missing static manifest
        return "/static/" + path


def way_back(request: HttpRequest, *, may_query: bool = True) -> tuple[str, str]:
    """(url, label) of the page a visitor goes back to: the workspace for staff, the
    portal for customers and everyone else on customer pages."""
    if _is_staff(request, may_query=may_query):
        return _url("tickets:queue", "/"), _("Back to the workspace")
    if not request.path.startswith(CUSTOMER_PREFIXES) and not may_query:
        # The 500 page on a staff path with an unknown visitor: the front door.
        return "/", _("Back to the start page")
    return _url("portal:home", "/support/"), _("Back to customer support")


def render_error(request: HttpRequest, *, status: int, title: str, message: str,
                 may_query: bool = True) -> HttpResponse:
    back_url, back_label = way_back(request, may_query=may_query)
    context = {
        "status": status, "title": title, "message": message,
        "back_url": back_url, "back_label": back_label,
        "css_url": _static("css/errors.css"), "icon_url": _static("favicon.ico"),
    }
    # No request: no context processors, so nothing that could fail runs for this page.
    body = loader.get_template("errors/page.html").render(context)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return render_error(request, status=400, title=_("Bad request"), message=_(
        "The request could not be understood. Check the address or the form and try again."))


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    # A view that refuses with its own reason (PermissionDenied("…")) shows that reason.
    reason = str(exception) if exception is not None else ""
    return render_error(request, status=403, title=_("Not allowed"), message=reason or _(
        "You do not have access to this page. If you need it, ask a manager or an "
        "administrator."))


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render_error(request, status=404, title=_("Page not found"), message=_(
        "There is nothing at this address. It may have moved, or you may not have access to "
        "it."))


def server_error(request: HttpRequest) -> HttpResponse:
    return render_error(request, status=500, title=_("Something went wrong"), message=_(
        "An error on our side stopped this page. It has been logged; please try again in a "
        "moment."), may_query=False)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render_error(request, status=403, title=_("The form expired"), message=_(
        "This form could not be sent because it was open too long or cookies are blocked. "
        "Go back, reload the page and send it again."))
