"""One HTTP POST to a checked address, through requests.

The URL keeps its host name (so the Host header, TLS SNI and certificate check use
it) while the connection goes to the address ``targets.resolve`` checked: a DNS
answer that changes between the check and the connect cannot redirect us inside
the network. Redirects are not followed (a 3xx counts as a failure), proxies from
the environment are not used, and only the first bytes of the answer are read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests
from requests.adapters import HTTPAdapter

from .targets import Target

BODY_EXCERPT_BYTES = 2048
CONNECT_TIMEOUT = 5


@dataclass(frozen=True)
class Answer:
    status_code: int
    elapsed_ms: int
    body: str


class _PinnedAdapter(HTTPAdapter):
    """Connects to ``target.address`` whatever the URL's host resolves to now."""

    def __init__(self, target: Target):
        self.target = target
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert)
        host_params["host"] = self.target.address
        if self.target.scheme == "https":
            pool_kwargs["server_hostname"] = self.target.host
            pool_kwargs["assert_hostname"] = self.target.host
        return host_params, pool_kwargs


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = 443 if target.scheme == "https" else 80
    return host if target.port == default else f"{host}:{target.port}"


def post(*, url: str, target: Target, body: bytes, headers: dict[str, str],
         timeout: float) -> Answer:
    """POST ``body``; raises requests.RequestException on network errors and timeouts."""
    with requests.Session() as session:
        session.trust_env = False  # no proxies or .netrc from the environment
        session.mount(f"{target.scheme}://", _PinnedAdapter(target))
        started = time.monotonic()
        response = session.post(
            url, data=body, allow_redirects=False, stream=True,
            timeout=(CONNECT_TIMEOUT, timeout),
            headers={**headers, "Host": _host_header(target)},
        )
        with response:
            raw = response.raw.read(BODY_EXCERPT_BYTES, decode_content=True) or b""
        elapsed = int((time.monotonic() - started) * 1000)
    return Answer(status_code=response.status_code, elapsed_ms=elapsed,
                  body=raw.decode(response.encoding or "utf-8", "replace"))
