"""What one read of a provider gave the sync: the items mapped for import, how many raw items could not be
read, and the provider's cursors (GitHub's ETag and its 304)."""

from __future__ import annotations

from dataclasses import dataclass, field

from deepiri_integrations.models.connections import ImportedItem


@dataclass(frozen=True)
class Fetched:
    items: list[ImportedItem] = field(default_factory=list)
    unreadable: int = 0
    etag: str | None = None
    not_modified: bool = False
