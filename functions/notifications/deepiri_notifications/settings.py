"""The notifications functions' configuration, validated at cold start."""

from __future__ import annotations

from pydantic import Field

from deepiri_common.settings import CommonSettings


class NotificationsSettings(CommonSettings):
    notifications_table: str = Field(alias="NOTIFICATIONS_TABLE")
    delivery_queue_url: str = Field(default="", alias="DELIVERY_QUEUE_URL")
    mail_from: str = Field(default="no-reply@deepiri.dev", alias="MAIL_FROM")
    app_url: str = Field(default="http://localhost:3000", alias="APP_URL")
    # "fcm=<arn>,apns=<arn>,apnsSandbox=<arn>": SNS platform applications (made outside CloudFormation).
    push_platform_applications: str = Field(default="", alias="PUSH_PLATFORM_APPLICATIONS")

    def platform_applications(self) -> dict[str, str]:
        """platform → platform application ARN, for the platforms configured on this stage."""
        pairs = (entry.split("=", 1) for entry in self.push_platform_applications.split(",") if "=" in entry)
        return {platform.strip(): arn.strip() for platform, arn in pairs if arn.strip()}
