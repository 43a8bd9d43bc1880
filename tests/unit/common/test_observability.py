"""Structured logs never carry a secret, wherever in the record it sits."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any, cast

import pytest

from deepiri_common.observability import is_secret_key, logger, redact


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Points the shared logger's own handler (and so its own formatter) at a buffer."""
    buffer = io.StringIO()
    handler = cast(Any, logger.registered_handler)
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def _records(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_given_secrets_in_extras_when_logged_then_their_values_never_reach_the_output(
    log_lines: io.StringIO,
) -> None:
    logger.info(
        "signing in",
        extra={
            "email": "ada@example.com",
            "password": "correct horse battery staple",
            "Refresh_Token": "rt-4f9a",
            "request": {
                "headers": {"Authorization": "Bearer eyJhbGciOi", "Cookie": "sid=abc123", "Accept": "*/*"},
                "body": [{"client_secret": "cs-77x"}, {"accessToken": "at-99z"}],
            },
        },
    )

    output = log_lines.getvalue()
    for secret in ("correct horse", "rt-4f9a", "eyJhbGciOi", "sid=abc123", "cs-77x", "at-99z"):
        assert secret not in output
    record = _records(log_lines)[0]
    assert record["email"] == "ada@example.com"
    assert record["password"] == "***"
    assert record["request"]["headers"] == {"Authorization": "***", "Cookie": "***", "Accept": "*/*"}
    assert record["request"]["body"] == [{"client_secret": "***"}, {"accessToken": "***"}]


def test_given_appended_keys_and_a_dict_message_when_logged_then_secrets_are_redacted_there_too(
    log_lines: io.StringIO,
) -> None:
    logger.append_keys(session_token="st-123")
    try:
        logger.warning({"event": "token refresh", "refresh_token": "rt-456"})
    finally:
        logger.remove_keys(["session_token"])

    record = _records(log_lines)[0]
    assert record["session_token"] == "***"
    assert record["message"] == {"event": "token refresh", "refresh_token": "***"}


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "PASSWORD",
        "newPassword",
        "token",
        "id_token",
        "accesstoken",
        "X-Api-Token",
        "clientSecret",
        "authorization",
        "set-cookie",
        "cookies",
        "refresh_token",
        "access_token",
        "client_secret",
    ],
)
def test_given_a_secret_looking_key_when_checked_then_it_is_secret(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize("key", ["max_tokens", "email", "userId", "secretary_count_is_not", "title"])
def test_given_an_ordinary_key_when_checked_then_it_is_kept(key: str) -> None:
    # "secretary..." shares a prefix with "secret" but is another word.
    assert not is_secret_key(key)


def test_given_a_structure_when_redacted_then_the_original_is_left_untouched() -> None:
    original = {"password": "p", "items": ({"token": "t"},)}

    assert redact(original) == {"password": "***", "items": [{"token": "***"}]}
    assert original == {"password": "p", "items": ({"token": "t"},)}


@pytest.mark.parametrize("key", ["userPasswd", "passwdHint", "sessionCookies", "cookiesJar"])
def test_given_camel_case_keys_made_of_secret_words_then_they_are_hidden(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize("key", ["userpassword", "refreshtoken", "clientsecret", "proxyauthorization", "sessioncookie"])
def test_given_a_secret_word_squashed_onto_another_then_the_key_is_hidden(key: str) -> None:
    assert is_secret_key(key)
