"""Unit tests never touch the network."""

# The X-Ray SDK creates (but never uses) a UDP socket when first imported; import it before sockets are
# blocked so a test that happens to import a traced handler first does not trip over it.
import aws_xray_sdk.core  # noqa: F401
from pytest_socket import disable_socket


def pytest_runtest_setup() -> None:
    disable_socket()
