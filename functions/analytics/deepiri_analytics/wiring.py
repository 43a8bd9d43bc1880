"""Every collaborator the analytics functions use, built once per process on first use (never at import).

Each factory is named for what it returns. Tests switch environments between cases with :func:`reset`.
"""

from __future__ import annotations

from functools import cache

from deepiri_analytics.dal.archive import Archive
from deepiri_analytics.dal.queries import Athena
from deepiri_analytics.dal.readmodels import ReadModels
from deepiri_analytics.settings import AnalyticsSettings
from deepiri_common import aws
from deepiri_common.settings import load_settings


def settings() -> AnalyticsSettings:
    return load_settings(AnalyticsSettings)


@cache
def read_models() -> ReadModels:
    return ReadModels(settings().analytics_table, aws.client("dynamodb"))


@cache
def archive() -> Archive:
    return Archive(settings().archive_bucket, aws.client("s3"))


@cache
def athena() -> Athena:
    """Athena over the archive's Glue database; results under the archive bucket's athena-results/."""
    config = settings()
    return Athena(aws.client("athena"), config.glue_database, config.athena_workgroup,
                  f"s3://{config.archive_bucket}/athena-results/")


def reset() -> None:
    """Forget every collaborator (tests switch environments between cases)."""
    read_models.cache_clear()
    archive.cache_clear()
    athena.cache_clear()
