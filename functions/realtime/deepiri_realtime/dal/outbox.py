"""Events the realtime service announces without a state change of its own (a duel's progress, which the
challenges service validates and applies): written to the table's outbox, forwarded from its stream."""

from __future__ import annotations

from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_put
from deepiri_realtime.dal.table import Table


class OutboxRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def publish(self, event: DomainEvent) -> None:
        self._table.transact([outbox_put(self._table.name, event)])
