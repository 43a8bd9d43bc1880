"""The integrations functions' configuration, validated at cold start."""

from __future__ import annotations

from pydantic import Field

from deepiri_common.settings import CommonSettings


class IntegrationsSettings(CommonSettings):
    integrations_table: str = Field(alias="INTEGRATIONS_TABLE")
    # The KMS key that seals every provider token (EncryptionContext: the user and the provider).
    tokens_key_id: str = Field(alias="TOKENS_KEY_ID")
    # The secret holding each provider's client id and secret, its webhook secret and the state-signing key.
    providers_secret: str = Field(alias="PROVIDERS_SECRET")
    # Where GitHub is: its web host (authorize, token) and its REST API; a fake server in the e2e suite.
    github_web_url: str = Field(default="https://github.com", alias="GITHUB_WEB_URL")
    github_api_url: str = Field(default="https://api.github.com", alias="GITHUB_API_URL")
    # Where Trello is (its web host: OAuth 1.0a endpoints; its REST API) and Notion's API (OAuth and REST).
    trello_web_url: str = Field(default="https://trello.com", alias="TRELLO_WEB_URL")
    trello_api_url: str = Field(default="https://api.trello.com", alias="TRELLO_API_URL")
    notion_api_url: str = Field(default="https://api.notion.com", alias="NOTION_API_URL")
    # The public base URL of this API (``https://<id>.execute-api.<region>.amazonaws.com/<stage>``); empty:
    # derived from each request (the callback's redirect_uri must be identical at authorize and exchange).
    callback_base_url: str = Field(default="", alias="CALLBACK_BASE_URL")
    provider_timeout_seconds: float = Field(default=5.0, alias="PROVIDER_TIMEOUT_SECONDS")
    # How long a provider's circuit breaker stays open after three consecutive failures.
    breaker_open_seconds: int = Field(default=60, ge=1, le=3600, alias="BREAKER_OPEN_SECONDS")
    # Where Google is: accounts (authorize), OAuth (token, revoke) and the Calendar API; the fake server in e2e.
    google_accounts_url: str = Field(default="https://accounts.google.com", alias="GOOGLE_ACCOUNTS_URL")
    google_oauth_url: str = Field(default="https://oauth2.googleapis.com", alias="GOOGLE_OAUTH_URL")
    google_api_url: str = Field(default="https://www.googleapis.com", alias="GOOGLE_API_URL")
    # The challenges API function a focus block reads the caller's challenge through (empty: focus blocks 503).
    challenges_api_function: str = Field(default="", alias="CHALLENGES_API_FUNCTION")
    # Transient provider failures are tried again within a run: at most this many calls in all.
    provider_attempts: int = Field(default=3, ge=1, le=5, alias="PROVIDER_ATTEMPTS")
