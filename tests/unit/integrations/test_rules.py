"""The integrations' pure rules: the signed state and PKCE, GitHub's webhook signature, the mapping of an
issue to an import and the user's sources, and the circuit breaker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deepiri_common.problems import Unauthorized
from deepiri_integrations.logic import breaker, mapping
from deepiri_integrations.logic.connections import pkce_challenge, sign_state, state_nonce
from deepiri_integrations.logic.webhooks import github_signature, verify_github
from deepiri_integrations.models.connections import IntegrationSources

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def _issue(**fields: object) -> dict[str, object]:
    return {"number": 12, "title": "Fix it", "state": "open", "updated_at": "2026-11-30T10:00:00Z",
            "html_url": "https://github.com/ada/engine/issues/12",
            "repository_url": "https://api.github.com/repos/ada/engine",
            "labels": [{"name": "Bug"}, {"name": "bug"}, {"name": " P1 "}], "assignees": [{"login": "ada"}], **fields}


def test_given_a_signed_state_then_only_the_same_key_and_provider_accept_it() -> None:
    state = sign_state("k" * 32, "github", "nonce-123")

    assert state_nonce("k" * 32, "github", state) == "nonce-123"
    assert state_nonce("x" * 32, "github", state) is None
    assert state_nonce("k" * 32, "notion", state) is None
    assert state_nonce("k" * 32, "github", state[:-1] + ("A" if state[-1] != "A" else "B")) is None


def test_given_a_verifier_then_the_challenge_is_its_unpadded_base64url_sha256() -> None:
    # RFC 7636 appendix B's example
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_given_github_s_documented_example_then_the_signature_matches() -> None:
    # docs.github.com "Validating webhook deliveries": secret "It's a Secret to Everybody", payload "Hello, World!"
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert github_signature("It's a Secret to Everybody", b"Hello, World!") == expected
    verify_github("It's a Secret to Everybody", b"Hello, World!", expected)


@pytest.mark.parametrize("signature", [None, "", "sha256=00", "sha1=abc"])
def test_given_a_missing_or_wrong_signature_then_unauthorized(signature: str | None) -> None:
    with pytest.raises(Unauthorized):
        verify_github("secret", b"{}", signature)


def test_given_no_webhook_secret_then_even_a_matching_signature_is_refused() -> None:
    with pytest.raises(Unauthorized):
        verify_github("", b"{}", github_signature("", b"{}"))


def test_given_an_issue_then_it_maps_to_an_import_with_tags_due_date_and_status() -> None:
    item = mapping.github_issue(_issue(state="closed", milestone={"due_on": "2026-12-24T08:00:00Z"},
                                       title="Fix\u202e it\nnow", body="line\x00one\nline two"))

    assert item is not None
    assert item.externalRef == "ada/engine#12" and item.repository == "ada/engine"
    assert item.title == "Fix it now" and item.description == "lineone\nline two"
    assert item.tags == ["bug", "p1"] and item.status == "done"
    assert item.dueAt == datetime(2026, 12, 24, 8, tzinfo=UTC) and item.assignees == ["ada"]
    assert not item.pullRequest


def test_given_json_without_an_identity_then_no_item() -> None:
    assert mapping.github_issue({"title": "no number"}) is None
    assert mapping.github_issue(_issue(updated_at="yesterday")) is None
    assert mapping.github_issue(_issue(repository_url="https://example.com/nothing")) is None


def test_given_sources_then_only_chosen_repositories_labels_and_kinds_are_wanted() -> None:
    item = mapping.github_issue(_issue())
    pull = mapping.github_issue(_issue(pull_request={}))
    assert item is not None and pull is not None

    assert mapping.wanted(item, IntegrationSources())
    assert mapping.wanted(item, IntegrationSources(repositories=["ADA/engine"]))
    assert not mapping.wanted(item, IntegrationSources(repositories=["ada/other"]))
    assert mapping.wanted(item, IntegrationSources(labels=["P1"]))
    assert not mapping.wanted(item, IntegrationSources(labels=["docs"]))
    assert not mapping.wanted(pull, IntegrationSources(pullRequests=False))


def test_given_failures_then_the_breaker_opens_at_the_third_and_closes_after_its_period() -> None:
    failures, until = breaker.after_failure(0, NOW, 60)
    assert (failures, until) == (1, None) and not breaker.is_open(until, NOW)
    failures, until = breaker.after_failure(failures, NOW, 60)
    assert until is None
    failures, until = breaker.after_failure(failures, NOW, 60)
    assert failures == 3 and until == NOW + timedelta(seconds=60)
    assert breaker.is_open(until, NOW + timedelta(seconds=59))
    assert not breaker.is_open(until, NOW + timedelta(seconds=60))
