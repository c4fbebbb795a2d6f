"""Where a webhook may be sent: only http(s), never the app itself, never (by default)
a private, loopback or link-local address.

A URL is checked twice. When it is saved (``check_static``): scheme, host, the app's
own host names (SITE_URL and ALLOWED_HOSTS) and IP literals. When it is sent
(``resolve``): the host name is resolved and every address must be public, so a
name that points (or is re-pointed) at 127.0.0.1 or 169.254.169.254 is refused;
the connection then goes to the checked address itself, so a second DNS answer
cannot swap it (see transport.py). HELPDESK_WEBHOOK_ALLOWED_NETWORKS lets an
operator open chosen private ranges (an internal CRM; the tests' loopback server).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http.request import validate_host
from django.utils.translation import gettext as _

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedTarget(Exception):
    """The URL may not be called; retrying will not help (or not soon)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    address: str  # the checked IP address the connection must go to


def _parts(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedTarget(_("This is not a valid URL.")) from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise RefusedTarget(_("Only http and https URLs can receive webhooks."))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise RefusedTarget(_("The URL must name a host."))
    return scheme, host, port or DEFAULT_PORTS[scheme]


def _own_host(host: str, port: int) -> bool:
    """True for the app's own address: SITE_URL's host and port, or any host name the
    app answers to (ALLOWED_HOSTS, whose "*" would match everything and is ignored)."""
    site = urlsplit(settings.SITE_URL)
    site_port = site.port or DEFAULT_PORTS.get(site.scheme, 80)
    if host == (site.hostname or "") and port == site_port:
        return True
    patterns = [h for h in settings.ALLOWED_HOSTS if h != "*"]
    return validate_host(host, patterns) or validate_host(f"[{host}]", patterns)


def _allowed_networks() -> list:
    return [ipaddress.ip_network(n, strict=False)
            for n in getattr(settings, "HELPDESK_WEBHOOK_ALLOWED_NETWORKS", [])]


def address_allowed(address: IPAddress) -> bool:
    """Public unicast addresses, plus the ranges the operator opened."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address in network for network in _allowed_networks()):
        return True
    return address.is_global and not address.is_multicast


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_static(url: str, *, field: str = "url") -> str:
    """Refuse (ValidationError naming ``field``) URLs we would never call."""
    try:
        scheme, host, port = _parts(url)
        if _own_host(host, port):
            raise RefusedTarget(_("Webhooks cannot be sent to this helpdesk itself."))
        literal = _literal(host)
        if literal is not None and not address_allowed(literal):
            raise RefusedTarget(_("Webhooks cannot be sent to private or local addresses."))
    except RefusedTarget as exc:
        raise ValidationError({field: str(exc)}, code="invalid") from None
    return url


def resolve(url: str) -> Target:
    """Check the URL again and resolve its host; every address must be allowed.

    Raises RefusedTarget for a refused URL or address, OSError when the name does
    not resolve (a temporary failure: the delivery is retried).
    """
    scheme, host, port = _parts(url)
    if _own_host(host, port):
        raise RefusedTarget(_("Webhooks cannot be sent to this helpdesk itself."))
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    if not addresses:
        raise OSError(f"{host} has no address")
    refused = [str(a) for a in addresses if not address_allowed(a)]
    if refused:
        raise RefusedTarget(_("%(host)s resolves to a private or local address (%(addr)s).")
                            % {"host": host, "addr": ", ".join(refused)})
    return Target(scheme=scheme, host=host, port=port, address=str(addresses[0]))
