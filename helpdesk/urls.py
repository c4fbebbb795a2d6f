from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views
from .auth_views import ThrottledPasswordResetView

api_v1 = [
    path("", include("tickets.api_urls")),
    path("surveys/", include("surveys.api_urls")),
    path("metrics/", include("metrics.api_urls")),
    path("", include("rules.api_urls")),
    path("webhooks/", include("integrations.api_urls")),
    path("", include("chat.api_urls")),  # live chat
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page links (docs/pages.md).
    path("favicon.ico", RedirectView.as_view(url=static("favicon.ico"), permanent=True),
         name="favicon"),
    # Identity (docs/identity.md): the admin signs in through the one sign-in page (second
    # factor, SSO, password switch); our login, SSO, two-factor and token pages; the audit log.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("", include("identity.urls")),
    path("audit/", include("audit.urls")),
    path("admin/", admin.site.urls),
    # Before django.contrib.auth.urls, whose unthrottled view has the same name.
    path("accounts/password_reset/", ThrottledPasswordResetView.as_view(),
         name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up code as a script file, not inline (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
         name="api-docs"),
    # anymail's webhook views, closed while ANYMAIL_WEBHOOK_SECRET is unset (helpdesk.webhooks).
    path("anymail/", include("helpdesk.webhooks")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("chat.urls")),  # live chat: /chats/ (agents), /support/chat/ (widget)
    path("support/", include("tickets.portal_urls")),
    path("surveys/", include("surveys.urls")),
    path("metrics/", include("metrics.urls")),
    path("rules/", include("rules.urls")),
    path("", include("tickets.urls")),
]

# MEDIA_ROOT is never served as such, not even with DEBUG: every stored file is a file
# somebody sent us, reachable only through the routes that check access and serve it
# with helpdesk.files.serve_user_file (docs/security.md).

# Styled, translated error pages (helpdesk/errors.py, docs/pages.md).
handler400 = "helpdesk.errors.bad_request"
handler403 = "helpdesk.errors.permission_denied"
handler404 = "helpdesk.errors.page_not_found"
handler500 = "helpdesk.errors.server_error"
