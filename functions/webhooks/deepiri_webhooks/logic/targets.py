"""Where a delivery may go (SSRF): a URL whose host resolves only to public addresses.

Checked when a subscription is made and again before every attempt, after DNS resolution, and the attempt
then connects to an address that was checked (not to a second lookup that could answer differently).
Refused: non-http(s) schemes, credentials in the URL, plain http, and any host that resolves to a private,
loopback, link-local, shared, multicast, reserved or unspecified address (IPv4-mapped IPv6 included).
The one exception is the stage's allow-list (``WEBHOOK_ALLOWED_TARGETS``: ``host`` or ``host:port``
entries), which the local stack sets to its 127.0.0.1 test receiver; an allowed target may be plain http.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from deepiri_webhooks.models.targets import Target

Resolve = Callable[[str, int], list[str]]
"""host, port → the addresses it resolves to (empty when it does not resolve)."""

_DEFAULT_PORTS = {"http": 80, "https": 443}


class TargetRefused(Exception):
    """The URL may not receive deliveries; the message says why (it names no secret)."""


def parse_allowed(setting: str) -> frozenset[str]:
    """The allow-list setting (comma-separated ``host`` or ``host:port``) as lower-case entries."""
    return frozenset(entry.strip().lower() for entry in setting.split(",") if entry.strip())


def is_public(address: str) -> bool:
    """Whether ``address`` is a globally routable unicast address (an IPv6 zone, ``%eth0``, is allowed)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # On Python 3.11 ``is_global`` is already false for every kind below but multicast; they are listed
    # so that a change of that definition cannot open the door (the mutants that drop them are equivalent).
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback
                                 or ip.is_link_local or ip.is_private)


def check_target(url: str, resolve: Resolve, allowed: Iterable[str]) -> Target:
    """The checked destination of ``url``, or ``TargetRefused`` saying why it may not receive deliveries."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise TargetRefused("the URL must be https")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("the URL may not carry credentials")
    try:
        host, port = (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        raise TargetRefused("the URL's port is not valid") from None
    if not host:
        raise TargetRefused("the URL has no host")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    allowed_set = frozenset(allowed)
    exempt = host in allowed_set or f"{host}:{port}" in allowed_set
    if scheme != "https" and not exempt:
        raise TargetRefused("the URL must be https")
    addresses = tuple(dict.fromkeys(resolve(host, port)))
    if not addresses:
        raise TargetRefused("the URL's host does not resolve")
    if not exempt:
        refused = [address for address in addresses if not is_public(address)]
        if refused:
            raise TargetRefused("the URL's host resolves to a private, loopback or link-local address")
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=addresses)
