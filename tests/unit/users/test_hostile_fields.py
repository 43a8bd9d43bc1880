"""Fields that could carry a secret or a wildcard are refused by name."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from deepiri_users.logic.oauth_clients import redirect_uri_problem
from deepiri_users.models.profiles import ProfilePatch


@pytest.mark.parametrize("uri", ["https://*.example.com/cb", "https://app.example.com/*", "https://app.example.com/cb?x=*"])
def test_given_a_wildcard_redirect_uri_then_registration_refuses_it(uri: str) -> None:
    assert redirect_uri_problem(uri) == "must not contain a wildcard: redirect URIs match exactly"


def test_given_an_exact_https_redirect_uri_then_it_may_be_registered() -> None:
    assert redirect_uri_problem("https://app.example.com/oauth/callback") is None


@pytest.mark.parametrize("url", ["https://user:secret@img.example/a.png", "https://user@img.example/a.png"])
def test_given_an_avatar_url_with_credentials_then_422_names_the_field(url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ProfilePatch.model_validate({"version": 1, "avatarUrl": url})
    assert caught.value.errors()[0]["loc"] == ("avatarUrl",)
    assert "must not contain credentials" in str(caught.value)
