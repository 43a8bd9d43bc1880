"""Each provider's OAuth client, its webhook secret and the key that signs ``state``, read from one Secrets
Manager secret once per process (never logged)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ProviderSecrets(BaseModel):
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    stateKey: str = Field(min_length=16, repr=False)
    githubClientId: str = ""
    githubClientSecret: str = Field(default="", repr=False)
    githubWebhookSecret: str = Field(default="", repr=False)
    googleClientId: str = ""
    googleClientSecret: str = Field(default="", repr=False)
    # Trello's app key and secret (the secret signs OAuth 1.0a requests and Trello's webhooks).
    trelloApiKey: str = ""
    trelloApiSecret: str = Field(default="", repr=False)
    notionClientId: str = ""
    notionClientSecret: str = Field(default="", repr=False)


def load_provider_secrets(secret_id: str, client: Any) -> ProviderSecrets:
    value = client.get_secret_value(SecretId=secret_id)["SecretString"]
    return ProviderSecrets.model_validate(json.loads(value))
