"""The users service's configuration, validated at cold start."""

from __future__ import annotations

from pydantic import Field

from deepiri_common.settings import CommonSettings


class UsersSettings(CommonSettings):
    """Everything the users functions read from their environment."""

    users_table: str = Field(alias="USERS_TABLE")
    # The emulator's base URL (template parameter LocalEndpoint); empty on AWS. Builds the OAuth metadata's URLs.
    local_endpoint: str = Field(default="", alias="LOCAL_ENDPOINT")
    access_token_ttl_seconds: int = Field(default=900, alias="ACCESS_TOKEN_TTL_SECONDS")
    refresh_token_ttl_seconds: int = Field(default=30 * 24 * 3600, alias="REFRESH_TOKEN_TTL_SECONDS")
    reset_token_ttl_seconds: int = Field(default=30 * 60, alias="RESET_TOKEN_TTL_SECONDS")
    metrics_retention_days: int = Field(default=400, alias="METRICS_RETENTION_DAYS")
    registrations_per_ip_per_hour: int = Field(default=20, ge=1, alias="REGISTRATIONS_PER_IP_PER_HOUR")
