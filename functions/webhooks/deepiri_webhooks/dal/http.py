"""The network side of a delivery: DNS resolution, and a POST pinned to an address that was checked.

The connection goes to the address the SSRF check approved, not to a second lookup of the host (which a
hostile DNS server could answer differently); the Host header and, for https, the TLS server name and
certificate check still use the URL's host. Redirects are not followed: a 3xx is a failed attempt.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as LookupTimeout
from functools import cache

from deepiri_webhooks.models.targets import Target

MAX_ANSWER_BYTES = 4096  # read of the receiver's answer (only its status matters)
LOOKUP_SECONDS = 3.0  # a host that takes longer to resolve counts as not resolving (the function has 10 s)


@cache
def _lookups() -> ThreadPoolExecutor:
    # getaddrinfo has no timeout of its own: it runs here, and a slow answer is given up on.
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="dns")


def _addresses(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return [str(info[4][0]) for info in infos]


def resolve(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to (empty when it does not, or not within ``LOOKUP_SECONDS``)."""
    try:
        return _lookups().submit(_addresses, host, port).result(timeout=LOOKUP_SECONDS)
    except LookupTimeout:
        return []


class _PinnedHttps(http.client.HTTPSConnection):
    """An HTTPS connection to ``address`` that verifies the certificate of ``host``."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHttp(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class HttpSender:
    """POSTs a delivery; answers (2xx came back, the status or why there was none)."""

    def post(self, target: Target, body: bytes, headers: dict[str, str], timeout: float) -> tuple[bool, str]:
        kind = _PinnedHttps if target.scheme == "https" else _PinnedHttp
        connection = kind(target.host, target.port, target.addresses[0], timeout)
        try:
            connection.request("POST", target.path, body=body, headers=headers)
            answer = connection.getresponse()
            answer.read(MAX_ANSWER_BYTES)
            return 200 <= answer.status < 300, str(answer.status)
        except TimeoutError:
            return False, "timeout"
        except (OSError, http.client.HTTPException) as exc:
            return False, f"no answer: {type(exc).__name__}"
        finally:
            connection.close()
