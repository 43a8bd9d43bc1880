"""`make bench ONLY=boards`: the read units the leaderboard benchmark charges follow DynamoDB's rules."""

from __future__ import annotations

from typing import Any

from infra.bench.probes.board_reads import CountingClient, item_size


class _Backend:
    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items

    def query(self, **args: Any) -> dict[str, Any]:
        return {"Items": self.items, "ScannedCount": len(self.items)}

    def batch_get_item(self, **args: Any) -> dict[str, Any]:
        return {"Responses": {"t": self.items}}


def _item(size: int) -> dict[str, Any]:
    return {"pk": {"S": "x" * (size - 2)}}


def test_given_an_item_then_its_size_is_names_plus_values() -> None:
    assert item_size({"pk": {"S": "USER#a"}, "score": {"N": "1234"}}) == 2 + 6 + 5 + 3


def test_given_a_query_then_its_items_sizes_are_summed_and_rounded_up_to_4_kb() -> None:
    client = CountingClient(_Backend([_item(1000)] * 5))  # 5,000 bytes: two 4 KB units
    client.query(TableName="t")
    assert (client.calls, client.items, client.units) == (1, 5, 1.0)
    client.reset()
    client.query(TableName="t", ConsistentRead=True)
    assert client.units == 2.0


def test_given_an_empty_query_then_it_still_costs_one_unit() -> None:
    client = CountingClient(_Backend([]))
    client.query(TableName="t")
    assert client.units == 0.5


def test_given_a_batch_get_then_each_key_costs_a_unit_found_or_not() -> None:
    client = CountingClient(_Backend([_item(5000)]))  # one found item of two 4 KB units, one key missing
    client.batch_get_item(RequestItems={"t": {"Keys": [{}, {}], "ConsistentRead": False}})
    assert (client.items, client.units) == (1, 1.5)
