"""The project's URLs and handlers, plus two views that fail, for the 400 and 500 pages."""

from django.core.exceptions import SuspiciousOperation
from django.urls import path

from helpdesk.urls import handler400, handler403, handler404, handler500  # noqa: F401
from helpdesk.urls import urlpatterns as project_urls


def suspicious(request):
    raise SuspiciousOperation("bad input")


def broken(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("test-errors/400/", suspicious),
    path("support/test-errors/500/", broken),
    path("test-errors/500/", broken),
    *project_urls,
]
