"""Every collaborator the engagement functions use, built once per process on first use (never at import).

Each factory is named for what it returns. Tests switch environments between cases with :func:`reset`.
"""

from __future__ import annotations

from functools import cache

from deepiri_common import aws
from deepiri_common.settings import load_settings
from deepiri_engagement.dal.boards import BoardRepository
from deepiri_engagement.dal.streaks import StreakRepository
from deepiri_engagement.dal.wallets import WalletRepository
from deepiri_engagement.settings import EngagementSettings


def settings() -> EngagementSettings:
    return load_settings(EngagementSettings)


@cache
def wallet_repository() -> WalletRepository:
    return WalletRepository(settings().engagement_table, aws.client("dynamodb"))


@cache
def board_repository() -> BoardRepository:
    return BoardRepository(settings().boards_table, settings().engagement_table, aws.client("dynamodb"))


@cache
def streak_repository() -> StreakRepository:
    return StreakRepository(settings().engagement_table, aws.client("dynamodb"))


def reset() -> None:
    """Forget every collaborator (tests switch environments between cases)."""
    wallet_repository.cache_clear()
    board_repository.cache_clear()
    streak_repository.cache_clear()
