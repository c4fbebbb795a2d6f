"""Showing an email as its recipient will see it, inside a staff page (docs/demo.md).

The preview page frames the email's own HTML document, served by the same view with
``?format=html``. That document is an email: inline styles, no scripts. It is
served with a policy of its own that allows exactly that and nothing else.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

# An email's HTML: inline styles (mail clients need them), images from anywhere the
# email names, no script, framed only by our own preview page.
EMAIL_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src * data:; "
             "frame-ancestors 'self'; base-uri 'none'; form-action 'none'")


def preview_language(request: HttpRequest) -> str:
    """``?lang=`` when it is a language of the site, else the page's own language."""
    wanted = request.GET.get("lang", "")
    codes = [code for code, _name in settings.LANGUAGES]
    return wanted if wanted in codes else (translation.get_language() or settings.LANGUAGE_CODE)


def email_document(html: str) -> HttpResponse:
    response = HttpResponse(html)
    response["Content-Security-Policy"] = EMAIL_CSP
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
