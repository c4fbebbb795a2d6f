from django.urls import include, path

from . import sso, views

app_patterns = [
    path("accounts/two-factor/", views.two_factor_verify, name="two_factor_verify"),
    path("settings/two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("settings/two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("settings/two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("settings/api-tokens/", views.api_tokens, name="api_tokens"),
    path("settings/api-tokens/<int:pk>/revoke/", views.api_token_revoke,
         name="api_token_revoke"),
]

urlpatterns = [
    # Replaces django.contrib.auth's view of the same name (included after this module).
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    # mozilla-django-oidc reverses these two names without a namespace.
    path("oidc/authenticate/", sso.HelpdeskOIDCRequestView.as_view(),
         name="oidc_authentication_init"),
    path("oidc/callback/", sso.HelpdeskOIDCCallbackView.as_view(),
         name="oidc_authentication_callback"),
    path("", include((app_patterns, "identity"))),
]
