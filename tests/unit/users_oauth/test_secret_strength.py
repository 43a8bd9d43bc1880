"""Client secrets, authorization codes and refresh tokens carry at least 256 random bits."""

from __future__ import annotations

import base64

from deepiri_users.logic.oauth_clients import new_secret


def test_given_a_new_secret_then_it_is_url_safe_and_holds_at_least_32_random_bytes() -> None:
    secrets = {new_secret() for _ in range(20)}

    assert len(secrets) == 20
    for secret in secrets:
        assert set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        assert len(base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))) >= 32
