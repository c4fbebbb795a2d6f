"""A real OpenID provider (oidc-provider-mock, a werkzeug server in a thread) and the
settings that point the helpdesk at it."""

import pytest
import requests
from oidc_provider_mock import run_server_in_thread

from audit.models import AuditEntry


@pytest.fixture
def oidc_provider(request):
    """``require_nonce`` (True) can be turned off by indirect parametrization, for a
    provider that issues ID tokens without a nonce."""
    require_nonce = getattr(request, "param", True)
    with run_server_in_thread(require_client_registration=True,
                              require_nonce=require_nonce) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def sso(settings, oidc_provider, live_server):
    """SSO switched on against the provider, with a client registered for this helpdesk."""
    client = requests.post(f"{oidc_provider}/oauth2/clients", json={
        "redirect_uris": [f"{live_server.url}/oidc/callback/"],
        "token_endpoint_auth_method": "client_secret_post"}, timeout=10).json()
    settings.OIDC_DISCOVERY_URL = f"{oidc_provider}/.well-known/openid-configuration"
    settings.HELPDESK_SSO_ENABLED = True
    settings.OIDC_PROVIDER_NAME = "Keycloak"
    settings.OIDC_RP_CLIENT_ID = client["client_id"]
    settings.OIDC_RP_CLIENT_SECRET = client["client_secret"]
    settings.HELPDESK_SSO_ALLOWED_DOMAINS = []
    settings.HELPDESK_SSO_DEFAULT_ROLE = ""
    return oidc_provider


def set_identity(provider: str, sub: str, **claims) -> None:
    """What the provider will say about ``sub`` (its /users/<sub> test endpoint)."""
    response = requests.put(f"{provider}/users/{sub}", json=claims, timeout=10)
    assert response.status_code == 204


def audit_actions() -> list[tuple[str, str, str]]:
    return [(e.action, e.actor_email, e.detail.get("reason", e.detail.get("method", "")))
            for e in AuditEntry.objects.order_by("pk")]
