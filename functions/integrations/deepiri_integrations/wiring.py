"""Every collaborator the integrations functions use, built once per process on first use (never at import).

Each factory is named for what it returns. Tests switch environments between cases with :func:`reset`.
"""

from __future__ import annotations

from functools import cache

from deepiri_common import aws
from deepiri_common.settings import load_settings
from deepiri_integrations.dal.challenges_api import ChallengesApi
from deepiri_integrations.dal.github import GitHub
from deepiri_integrations.dal.google import GoogleCalendar
from deepiri_integrations.dal.integrations import IntegrationsRepository
from deepiri_integrations.dal.notion import Notion
from deepiri_integrations.dal.profiles import ProfileRepository
from deepiri_integrations.dal.provider_state import ProviderState
from deepiri_integrations.dal.secrets import ProviderSecrets, load_provider_secrets
from deepiri_integrations.dal.trello import Trello
from deepiri_integrations.dal.vault import TokenVault
from deepiri_integrations.logic.backoff import RetryPolicy
from deepiri_integrations.logic.connections import Integrations
from deepiri_integrations.settings import IntegrationsSettings


def settings() -> IntegrationsSettings:
    return load_settings(IntegrationsSettings)


@cache
def repository() -> IntegrationsRepository:
    return IntegrationsRepository(settings().integrations_table, aws.client("dynamodb"))


@cache
def provider_secrets() -> ProviderSecrets:
    return load_provider_secrets(settings().providers_secret, aws.client("secretsmanager"))


@cache
def github() -> GitHub:
    config, keys = settings(), provider_secrets()
    return GitHub(config.github_web_url, config.github_api_url, keys.githubClientId, keys.githubClientSecret,
                  config.provider_timeout_seconds)


@cache
def google() -> GoogleCalendar:
    config, keys = settings(), provider_secrets()
    return GoogleCalendar(config.google_accounts_url, config.google_oauth_url, config.google_api_url,
                          client_id=keys.googleClientId, client_secret=keys.googleClientSecret,
                          timeout=config.provider_timeout_seconds)


@cache
def profiles() -> ProfileRepository:
    return ProfileRepository(settings().integrations_table, aws.client("dynamodb"))


@cache
def challenges() -> ChallengesApi | None:
    """The challenges API as the caller; None when this deployment names no function (focus blocks 503)."""
    name = settings().challenges_api_function
    return ChallengesApi(name) if name else None


@cache
def trello() -> Trello:
    config, keys = settings(), provider_secrets()
    return Trello(config.trello_web_url, config.trello_api_url, keys.trelloApiKey, keys.trelloApiSecret,
                  config.provider_timeout_seconds)


@cache
def notion() -> Notion:
    config, keys = settings(), provider_secrets()
    return Notion(config.notion_api_url, keys.notionClientId, keys.notionClientSecret, config.provider_timeout_seconds)


@cache
def provider_state() -> ProviderState:
    return ProviderState(settings().integrations_table, aws.client("dynamodb"))


@cache
def vault() -> TokenVault:
    return TokenVault(settings().tokens_key_id, aws.client("kms"))


def integrations() -> Integrations:
    return Integrations(repository=repository(), github=github(), vault=vault(), secrets=provider_secrets(),
                        trello=trello(), notion=notion(), provider_state=provider_state(),
                        breaker_seconds=settings().breaker_open_seconds, google=google(), profiles=profiles(),
                        challenges=challenges(), retry=RetryPolicy(attempts=settings().provider_attempts))


def reset() -> None:
    """Forget every collaborator (tests switch environments between cases)."""
    for factory in (repository, provider_secrets, github, vault, trello, notion, provider_state, google, profiles,
                    challenges):
        factory.cache_clear()
