"""The key store against moto's Secrets Manager, with the secret created from template.yaml."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from deepiri_common.clock import utc_now
from deepiri_common.tokens import PUBLICATION_DELAY, KeyStore, issue_access_token, verify_access_token
from tests.support import template

ISSUER = "https://deepiri.test"
AUDIENCE = "deepiri-api"


@pytest.fixture
def secret_name(aws: None) -> str:
    # Created as the template does: a generated placeholder string, not a key set.
    return template.create("JwtKeysSecret")["JwtKeysSecret"]


@pytest.fixture
def client(aws: None) -> Any:
    return boto3.client("secretsmanager", region_name=template.REGION)


def _stored_keys(client: Any, secret_name: str) -> list[dict[str, Any]]:
    return list(json.loads(client.get_secret_value(SecretId=secret_name)["SecretString"])["keys"])


def test_given_the_placeholder_secret_when_a_token_is_signed_then_the_key_set_is_initialised(
    client: Any, secret_name: str
) -> None:
    store = KeyStore(secret_name, client)

    token = issue_access_token(store, subject="u1", roles=["user"], issuer=ISSUER, audience=AUDIENCE)

    (stored,) = _stored_keys(client, secret_name)
    assert stored["alg"] == "ES256" and stored["retiredAt"] is None
    fresh = KeyStore(secret_name, client)  # a cold authorizer sees the same key
    assert verify_access_token(fresh, token, issuer=ISSUER, audience=AUDIENCE).sub == "u1"


class _RivalWritesFirst:
    """The real client, except that a rival initialises between our read and our first write."""

    def __init__(self, client: Any, rival: KeyStore) -> None:
        self._client = client
        self._rival: KeyStore | None = rival
        self.rival_kid = ""

    def get_secret_value(self, **kwargs: Any) -> Any:
        return self._client.get_secret_value(**kwargs)

    def put_secret_value(self, **kwargs: Any) -> Any:
        rival, self._rival = self._rival, None
        if rival is not None:
            self.rival_kid = rival.signing_key().kid
        return self._client.put_secret_value(**kwargs)


def test_given_two_cold_stores_when_both_initialise_at_once_then_moto_lets_only_one_key_set_in(
    client: Any, secret_name: str
) -> None:
    racing = _RivalWritesFirst(client, rival=KeyStore(secret_name, client))
    loser = KeyStore(secret_name, racing)

    kid = loser.signing_key().kid

    assert kid == racing.rival_kid
    assert [key["kid"] for key in _stored_keys(client, secret_name)] == [kid]
    versions = client.list_secret_version_ids(SecretId=secret_name)["Versions"]
    assert len(versions) == 2  # the placeholder and one key set


def test_given_the_same_version_token_with_another_value_when_put_then_moto_refuses_it(
    client: Any, secret_name: str
) -> None:
    # The property the initialisation race relies on, checked against moto itself.
    token = "deepiri-initial-keyset-000000000000000"
    client.put_secret_value(SecretId=secret_name, SecretString='{"keys": 1}', ClientRequestToken=token)

    with pytest.raises(client.exceptions.ResourceExistsException):
        client.put_secret_value(SecretId=secret_name, SecretString='{"keys": 2}', ClientRequestToken=token)


def test_given_an_initialised_secret_when_jwks_is_read_then_only_public_keys_are_published(
    client: Any, secret_name: str
) -> None:
    store = KeyStore(secret_name, client)
    kid = store.signing_key().kid

    (entry,) = store.jwks()["keys"]

    assert entry["kid"] == kid and entry["use"] == "sig" and entry["alg"] == "ES256"
    assert "d" not in entry


def test_given_a_key_set_when_rotated_then_both_verify_and_the_new_one_signs_once_published(
    client: Any, secret_name: str
) -> None:
    store = KeyStore(secret_name, client)
    old_token = issue_access_token(store, subject="u1", roles=["user"], issuer=ISSUER, audience=AUDIENCE)
    old_kid = store.signing_key().kid

    new_kid = store.rotate()

    stored = {key["kid"]: key for key in _stored_keys(client, secret_name)}
    assert stored[old_kid]["retiredAt"] is not None and stored[new_kid]["retiredAt"] is None
    cold = KeyStore(secret_name, client)
    assert {entry["kid"] for entry in cold.jwks()["keys"]} == {old_kid, new_kid}
    assert cold.signing_key().kid == old_kid  # until every verifier's cache can have loaded the new key
    later = KeyStore(secret_name, client, clock=lambda: utc_now() + PUBLICATION_DELAY)
    assert later.signing_key().kid == new_kid
    assert verify_access_token(cold, old_token, issuer=ISSUER, audience=AUDIENCE).sub == "u1"
