"""SSRF: which URLs may receive deliveries, decided on the resolved addresses."""

from __future__ import annotations

import pytest

from deepiri_webhooks.logic.targets import TargetRefused, check_target, is_public, parse_allowed
from tests.unit.webhooks.fakes import resolver

DNS = resolver({
    "hooks.example.com": ["93.184.216.34"],
    "internal.example.com": ["10.0.0.7"],
    "mixed.example.com": ["93.184.216.34", "192.168.1.1"],
    "metadata.example.com": ["169.254.169.254"],
    "v6.example.com": ["2606:2800:220:1:248:1893:25c8:1946"],
    "mapped.example.com": ["::ffff:127.0.0.1"],
    "localhost": ["127.0.0.1", "::1"],
    "127.0.0.1": ["127.0.0.1"],
    "10.0.0.1": ["10.0.0.1"],
    "169.254.169.254": ["169.254.169.254"],
    "0x7f000001": ["127.0.0.1"],
})


@pytest.mark.parametrize("address", ["10.0.0.1", "172.16.5.4", "192.168.0.1", "127.0.0.1", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fc00::1",
                                     "::ffff:10.0.0.1", "255.255.255.255", "not-an-ip"])
def test_given_a_private_loopback_link_local_or_odd_address_then_it_is_not_public(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946"])
def test_given_a_global_unicast_address_then_it_is_public(address: str) -> None:
    assert is_public(address)


def test_given_a_public_https_url_then_it_is_accepted_with_its_checked_addresses() -> None:
    target = check_target("https://hooks.example.com/in?x=1", DNS, ())

    assert (target.scheme, target.host, target.port, target.path) == ("https", "hooks.example.com", 443, "/in?x=1")
    assert target.addresses == ("93.184.216.34",)
    assert check_target("https://v6.example.com:8443/", DNS, ()).port == 8443


@pytest.mark.parametrize(("url", "reason"), [
    ("https://internal.example.com/hook", "private"),
    ("https://mixed.example.com/hook", "private"),  # one private answer is enough to refuse
    ("https://metadata.example.com/latest", "private"),
    ("https://169.254.169.254/latest/meta-data", "private"),
    ("https://10.0.0.1/hook", "private"),
    ("https://localhost/hook", "private"),
    ("https://mapped.example.com/", "private"),
    ("https://0x7f000001/", "private"),
    ("http://hooks.example.com/hook", "https"),
    ("ftp://hooks.example.com/hook", "https"),
    ("https://user:pass@hooks.example.com/", "credentials"),
    ("https://nowhere.example.com/", "does not resolve"),
    ("https:///path-only", "no host"),
    ("https://hooks.example.com:99999/", "port"),
    ("not a url", "https"),
])
def test_given_a_refused_url_then_it_is_refused_saying_why(url: str, reason: str) -> None:
    with pytest.raises(TargetRefused, match=reason):
        check_target(url, DNS, ())


def test_given_the_allowed_test_target_then_only_it_passes_over_http_to_loopback() -> None:
    allowed = parse_allowed(" 127.0.0.1:8080 , ")

    assert check_target("http://127.0.0.1:8080/hook", DNS, allowed).addresses == ("127.0.0.1",)
    with pytest.raises(TargetRefused):
        check_target("http://127.0.0.1:8081/hook", DNS, allowed)  # another port
    with pytest.raises(TargetRefused):
        check_target("http://localhost:8080/hook", DNS, allowed)  # the same address by another name
    assert check_target("http://127.0.0.1:9/x", DNS, parse_allowed("127.0.0.1")).port == 9  # a host: any port
