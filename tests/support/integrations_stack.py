"""The integrations service deployed on moto from template.yaml for its integration tests, with the fake
provider server on 127.0.0.1: a KMS key for the tokens, the providers' URLs pointed at the fake server and
the providers' secret written, the service's caches reset."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from deepiri_common.settings import reset_settings_cache
from deepiri_integrations import wiring
from tests.support import template
from tests.support.fake_providers import FakeProviders


@contextmanager
def deployed_integrations(monkeypatch: pytest.MonkeyPatch, environment: Callable[[str], Mapping[str, str]],
                          secret: Mapping[str, str]) -> Iterator[tuple[dict[str, Any], str]]:
    """The created resources and the fake server's URL; ``environment`` gives the variables to set from that
    URL, ``secret`` the providers' secret (beside a state key)."""
    fake = FakeProviders().start()
    key = boto3.client("kms", region_name=template.REGION).create_key()["KeyMetadata"]["KeyId"]
    for name, value in {"TOKENS_KEY_ID": key, **environment(fake.url)}.items():
        monkeypatch.setenv(name, value)
    try:
        with template.deployed(monkeypatch, wiring.reset, EVENT_BUS_NAME="EventBus",
                               INTEGRATIONS_TABLE="IntegrationsTable", IDEMPOTENCY_TABLE="IdempotencyTable",
                               PROVIDERS_SECRET="IntegrationsProvidersSecret",
                               DEAD_LETTER_QUEUE_URL="IntegrationsEvents.DeadLetterQueue") as created:
            boto3.client("secretsmanager", region_name=template.REGION).put_secret_value(
                SecretId=created["IntegrationsProvidersSecret"],
                SecretString=json.dumps({"stateKey": "k" * 48, **secret}))
            wiring.reset()
            reset_settings_cache()
            yield created, fake.url
    finally:
        fake.stop()
