"""In-memory fakes of the analytics stores, with the semantics the DynamoDB and S3 ones keep (each is held to
the same behaviour by the moto integration tests): an event's changes apply once per id, newest-wins values
and open-task fields by order, closed tasks stay closed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from deepiri_analytics.models.rows import (
    TRACKED,
    Add,
    Close,
    DayRow,
    DaySettings,
    Effect,
    Forget,
    Latest,
    LoggedEvent,
    OpenTask,
    Track,
)
from deepiri_common.events import DomainEvent


class FakeReadModels:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.applied: set[str] = set()
        self.published: list[DomainEvent] = []

    # writes
    def apply(self, event_id: str, effects: list[Effect]) -> bool:
        if event_id in self.applied:
            return False
        self.applied.add(event_id)
        for effect in effects:
            self._one(effect)
        return True

    def _one(self, effect: Effect) -> None:
        if isinstance(effect, Add):
            row = self.items.setdefault((effect.owner, effect.row), {})
            for name, amount in effect.counts.items():
                row[name] = row.get(name, 0) + amount
        elif isinstance(effect, Latest):
            held = self.items.get((effect.owner, effect.row))
            if held is None or held["order"] < effect.order:
                self.items[(effect.owner, effect.row)] = {"order": effect.order, **effect.values}
        elif isinstance(effect, Forget):
            self.forget(effect.user_id)
        elif isinstance(effect, Track):
            self._track(effect)
        elif isinstance(effect, Close):
            owner = f"USER#{effect.user_id}"
            self.items[(owner, f"CLOSED#{effect.task_id}")] = {}
            self.items.pop((owner, f"OPEN#{effect.task_id}"), None)

    def _track(self, effect: Track) -> None:
        owner = f"USER#{effect.user_id}"
        if (owner, f"CLOSED#{effect.task_id}") in self.items:
            return
        row = self.items.setdefault((owner, f"OPEN#{effect.task_id}"), {})
        for name, value in effect.values.items():
            if row.get(f"o_{name}", "") < effect.order:
                row[name], row[f"o_{name}"] = value, effect.order

    def forget(self, user_id: str) -> int:
        gone = [key for key in self.items if key[0] == f"USER#{user_id}"]
        for key in gone:
            del self.items[key]
        return len(gone)

    def log(self, user_id: str, key: str, event: LoggedEvent) -> None:
        self.items[(f"USER#{user_id}", key)] = {"logged": event}

    def clear(self) -> int:
        count = len(self.items) + len(self.applied)
        self.items.clear()
        self.applied.clear()
        return count

    def save_insights(self, user_id: str, as_of: str, insights: str, event: DomainEvent) -> bool:
        row = self.items.get((f"USER#{user_id}", "INSIGHTS"))
        if row is not None and row["asOf"] == as_of:
            return False
        self.items[(f"USER#{user_id}", "INSIGHTS")] = {"asOf": as_of, "insights": insights}
        self.published.append(event)
        return True

    # reads
    def _sorted(self, owner: str, first: str, last: str) -> list[tuple[str, dict[str, Any]]]:
        return sorted((sk, row) for (pk, sk), row in self.items.items() if pk == owner and first <= sk <= last)

    def active_in(self, period: str) -> list[str]:
        return [sk for sk, _ in self._sorted(f"ACTIVE#{period}", "", "~")]

    def day_settings(self, user_id: str) -> DaySettings:
        row = self.items.get((f"USER#{user_id}", "PROFILE"))
        return DaySettings(row["timezone"], row["dayStartHour"]) if row else DaySettings()

    def streak(self, user_id: str) -> dict[str, int]:
        row = self.items.get((f"USER#{user_id}", "STREAK"), {})
        return {"days": row.get("days", 0), "longest": row.get("longest", 0)}

    def counters(self, owner: str, row: str) -> dict[str, int]:
        return dict(self.items.get((owner, row), {}))

    def days(self, owner: str, first: date, last: date) -> list[DayRow]:
        return [DayRow(sk.removeprefix("DAY#"), dict(row)) for sk, row in self._sorted(owner, f"DAY#{first}",
                                                                                       f"DAY#{last}")]

    def is_member(self, project_id: str, user_id: str) -> bool:
        return bool(self.items.get((f"PROJECT#{project_id}", f"MEMBER#{user_id}"), {}).get("member"))

    def count(self, owner: str) -> int:
        return len(self._sorted(owner, "", "~"))

    def open_tasks(self, user_id: str) -> list[OpenTask]:
        found = []
        for sk, row in self._sorted(f"USER#{user_id}", "OPEN#", "OPEN#~"):
            found.append(OpenTask(sk.removeprefix("OPEN#"), **{name: row.get(name) for name in TRACKED}))
        return found

    def logged(self, user_id: str, first: str, last: str, limit: int,
               start: dict[str, Any] | None) -> tuple[list[LoggedEvent], dict[str, Any] | None]:
        rows = self._sorted(f"USER#{user_id}", first, last)
        if start:
            rows = [(sk, row) for sk, row in rows if sk > start["sk"]["S"]]
        page = rows[:limit]
        following = {"pk": {"S": f"USER#{user_id}"}, "sk": {"S": page[-1][0]}} if len(rows) > limit else None
        return [row["logged"] for _, row in page], following


class FakeArchive:
    def __init__(self) -> None:
        self.objects: dict[str, str] = {}

    def put(self, key: str, text: str) -> None:
        self.objects[key] = text

    def keys(self, prefix: str) -> Iterator[str]:
        yield from sorted(key for key in self.objects if key.startswith(prefix))

    def read(self, key: str) -> str:
        return self.objects[key]

    def delete(self, key: str) -> None:
        del self.objects[key]
