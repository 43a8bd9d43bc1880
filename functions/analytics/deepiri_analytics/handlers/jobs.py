"""On-demand jobs: ``rebuild`` (make analytics-rebuild) empties the read models and builds them again from
the S3 archive alone."""

from __future__ import annotations

from typing import Any

from deepiri_analytics import wiring
from deepiri_analytics.handlers.consumers import CONSUMES
from deepiri_analytics.logic import ingest
from deepiri_common.observability import logger


def rebuild(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Rebuild every read model from the archive; the number of archived, applied and skipped events."""
    done = ingest.rebuild(wiring.read_models(), wiring.archive(), CONSUMES)
    answer = {"events": done.events, "applied": done.applied, "skipped": done.skipped}
    logger.info("rebuilt", extra=answer)
    return answer
