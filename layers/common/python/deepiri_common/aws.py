"""AWS clients for the functions, built by botocore without importing boto3.

``import boto3`` also loads s3transfer and boto3's resource layer: on the Lambda runtime interpreter it
is a fifth of a function's cold start, paid again when the first client is made. The functions use
low-level clients only, which botocore builds itself (``boto3.client`` is a thin wrapper over
``botocore.session.Session.create_client``), so the layer asks botocore directly. botocore itself is
the Lambda runtime's copy.
"""

from __future__ import annotations

from typing import Any

from botocore.session import Session

_session: Session | None = None


def client(service_name: str, **kwargs: Any) -> Any:
    """A low-level client, as ``boto3.client(service_name, **kwargs)`` makes it (same configuration sources).

    One botocore session serves the whole process, so its loaded service models are shared by every
    client; callers keep their clients (the services' ``@cache`` wiring does).
    """
    global _session  # noqa: PLW0603 - one session per process, made on the first client
    if _session is None:
        _session = Session()
    return _session.create_client(service_name, **kwargs)
