"""Jobs: ``compaction`` (daily: removes deleted users' archived events), ``weekly_insights`` (scheduled,
Monday morning UTC; ``{"at": ISO instant}`` runs it for another moment) and ``rebuild`` (make
analytics-rebuild: empties the read models and builds them again from the S3 archive alone)."""

from __future__ import annotations

from typing import Any

from deepiri_analytics import wiring
from deepiri_analytics.handlers.consumers import CONSUMES
from deepiri_analytics.logic import ingest, weekly
from deepiri_common.clock import parse_iso, utc_now
from deepiri_common.observability import logger


def rebuild(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Rebuild every read model from the archive; the number of archived, applied and skipped events."""
    done = ingest.rebuild(wiring.read_models(), wiring.archive(), CONSUMES)
    answer = {"events": done.events, "applied": done.applied, "skipped": done.skipped}
    logger.info("rebuilt", extra=answer)
    return answer


def weekly_insights(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Insights for last week's active users, each kept with its InsightGenerated in the outbox."""
    at = event.get("at")
    done = weekly.run(wiring.read_models(), parse_iso(at) if isinstance(at, str) else utc_now())
    logger.info("weekly insights", extra=done)
    return done


def compaction(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Remove the archived events of deleted users (their tombstones), then the tombstones."""
    done = ingest.compact(wiring.archive())
    answer = {"users": done.users, "deleted": done.deleted}
    logger.info("compacted", extra=answer)
    return answer
