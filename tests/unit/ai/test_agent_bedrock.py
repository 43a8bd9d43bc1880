"""Parse and prioritise with the Bedrock provider: a structured draft through a tool (its due time a wall time
in the caller's zone), reasons for exactly the tasks given, and the local engine whenever either does not
validate or the breaker is open."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deepiri_ai.logic import agent
from deepiri_ai.logic.classifier import local_model
from deepiri_ai.logic.engine import BedrockSettings, Providers
from deepiri_ai.models.prioritize import OpenTask
from deepiri_ai.models.profiles import Profile
from tests.unit.ai.fakes import FakeBedrock, FakeGuards

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 18:00 Monday in Tokyo
LINE = "write the Q3 report by friday 5pm, high priority #work"


class Profiles:
    def profile(self, user_id: str) -> Profile:
        return Profile(userId=user_id, timezone="Asia/Tokyo" if user_id == "alice" else "UTC")


class Tasks:
    def __init__(self, tasks: list[OpenTask]) -> None:
        self.tasks, self.asked = tasks, []

    def open_tasks(self, caller: Any, correlation_id: str | None = None) -> tuple[list[OpenTask], bool]:
        self.asked.append((caller.user_id, correlation_id))
        return self.tasks, False


class Caller:
    user_id = "alice"


def _tool(name: str, tool_input: Any) -> dict[str, Any]:
    return {"output": {"message": {"role": "assistant", "content": [
        {"toolUse": {"toolUseId": "t1", "name": name, "input": tool_input}}]}},
        "usage": {"totalTokens": 80}, "stopReason": "tool_use"}


def _providers(bedrock: FakeBedrock, guards: FakeGuards | None = None) -> Providers:
    return Providers(provider="bedrock", model=local_model(), bedrock=bedrock,
                     guards=guards or FakeGuards(),  # type: ignore[arg-type]
                     settings=BedrockSettings(model_id="m", daily_tokens=1_000))


DRAFT = {"title": "write the Q3 report", "dueLocal": "2026-12-04T17:00", "priority": "high", "category": "writing",
         "difficulty": "medium", "tags": ["work"], "estimateMinutes": 120, "recurrence": None}


def test_given_bedrock_then_parse_answers_its_draft_with_the_wall_time_placed_in_the_caller_s_zone() -> None:
    bedrock = FakeBedrock(_tool("record_task_draft", DRAFT))

    draft = agent.parse(_providers(bedrock), Profiles(), "alice", LINE, NOW)  # type: ignore[arg-type]

    assert (draft.provider, draft.title, draft.dueAt, draft.timezone) == (
        "bedrock", "write the Q3 report", datetime(2026, 12, 4, 8, 0, tzinfo=UTC), "Asia/Tokyo")
    text = bedrock.requests[0]["messages"][0]["content"][0]["text"]
    assert text == f"Now (local): 2026-11-30T18:00 Monday; timezone: Asia/Tokyo\nLine: {LINE}"
    assert LINE not in bedrock.requests[0]["system"][0]["text"]


@pytest.mark.parametrize("bad", [
    {**DRAFT, "dueLocal": "2026-12-04T17:00:00+09:00"},  # an offset: the wall time is ambiguous
    {**DRAFT, "category": "chores"},
    {**DRAFT, "recurrence": "FREQ=HOURLY"},
    {**DRAFT, "tags": ["Has Spaces"]},
    {**DRAFT, "owner": "bob"},
    {key: value for key, value in DRAFT.items() if key != "title"},
])
def test_given_a_draft_that_does_not_validate_then_the_local_parser_answers(bad: dict[str, Any]) -> None:
    guards = FakeGuards()

    draft = agent.parse(_providers(FakeBedrock(_tool("record_task_draft", bad)), guards), Profiles(),  # type: ignore[arg-type]
                        "alice", LINE, NOW)

    assert (draft.provider, draft.fallbackReason, draft.title, draft.priority) == (
        "local", "invalid-answer", "write the Q3 report", "high")
    assert draft.dueAt == datetime(2026, 12, 4, 8, 0, tzinfo=UTC) and guards.failures == 1


def test_given_an_open_breaker_then_parse_is_local_without_asking() -> None:
    guards, bedrock = FakeGuards(), FakeBedrock()
    guards.open_until = NOW.timestamp() + 10
    draft = agent.parse(_providers(bedrock, guards), Profiles(), "alice", LINE, NOW)  # type: ignore[arg-type]
    assert (draft.provider, draft.fallbackReason) == ("local", "breaker-open") and bedrock.requests == []


def _open(title: str, **fields: Any) -> OpenTask:
    return OpenTask.model_validate({"id": title, "title": title, "status": "todo", **fields})


TASKS = [_open("someday", priority="low"), _open("contract", priority="high", dueAt=NOW + timedelta(hours=3))]


def test_given_bedrock_then_prioritize_keeps_the_local_order_with_the_model_s_reasons() -> None:
    bedrock = FakeBedrock(_tool("record_reasons", {"tasks": [
        {"id": "someday", "reasons": ["nothing presses"]}, {"id": "contract", "reasons": ["due this morning"]}]}))

    ranked = agent.prioritized(_providers(bedrock), Tasks(TASKS), None, Caller(), NOW)  # type: ignore[arg-type]

    assert ranked.provider == "bedrock"
    assert [(task.id, task.reasons) for task in ranked.tasks] == [("contract", ["due this morning"]),
                                                                  ("someday", ["nothing presses"])]
    prompt = bedrock.requests[0]["messages"][0]["content"][0]["text"]
    assert '"facts": ["due in 3 h", "high priority"' in prompt


@pytest.mark.parametrize("entries", [
    [{"id": "contract", "reasons": ["x"]}],  # one missing
    [{"id": "contract", "reasons": ["x"]}, {"id": "contract", "reasons": ["y"]}],  # twice, one missing
    [{"id": "contract", "reasons": ["x"]}, {"id": "someday", "reasons": ["y"]}, {"id": "bob", "reasons": ["z"]}],
    [{"id": "contract", "reasons": []}, {"id": "someday", "reasons": ["y"]}],
    [{"id": "contract", "reasons": ["x" * 201]}, {"id": "someday", "reasons": ["y"]}],
])
def test_given_reasons_not_for_exactly_the_tasks_given_then_the_local_reasons_stay(entries: list[Any]) -> None:
    ranked = agent.prioritized(_providers(FakeBedrock(_tool("record_reasons", {"tasks": entries}))),
                               Tasks(TASKS), None, Caller(), NOW)  # type: ignore[arg-type]

    assert (ranked.provider, ranked.fallbackReason) == ("local", "invalid-answer")
    assert ranked.tasks[0].reasons == ["due in 3 h", "high priority"]


def test_given_more_than_twenty_tasks_then_only_the_first_twenty_are_sent_and_the_rest_keep_local_reasons() -> None:
    many = [_open(f"task {n:02}", priority="medium") for n in range(25)]
    ranked_ids = [f"task {n:02}" for n in range(20)]
    bedrock = FakeBedrock(_tool("record_reasons", {"tasks": [{"id": tid, "reasons": ["r"]} for tid in ranked_ids]}))

    ranked = agent.prioritized(_providers(bedrock), Tasks(many), None, Caller(), NOW)  # type: ignore[arg-type]

    assert [task.reasons for task in ranked.tasks[19:21]] == [["r"], ["no due date", "medium priority"]]


def test_given_no_open_tasks_then_bedrock_is_not_asked() -> None:
    bedrock = FakeBedrock()
    ranked = agent.prioritized(_providers(bedrock), Tasks([]), None, Caller(), NOW)  # type: ignore[arg-type]
    assert ranked.tasks == [] and bedrock.requests == [] and ranked.provider == "local"


class Graph:
    def __init__(self, edges: list[tuple[str, str, str]]) -> None:
        self.edges_given, self.asked = edges, 0
        self.calls: list[tuple[str, str | None]] = []

    def edges(self, caller: Any, correlation_id: str | None = None) -> list[tuple[str, str, str]]:
        self.asked += 1
        self.calls.append((caller.user_id, correlation_id))
        return self.edges_given


def test_given_bedrock_then_parse_asks_with_the_draft_tool_spends_its_tokens_and_cleans_the_tags() -> None:
    guards = FakeGuards()
    bedrock = FakeBedrock(_tool("record_task_draft", {**DRAFT, "dueLocal": None, "tags": ["work", "q3", "work"],
                                                      "recurrence": "FREQ=WEEKLY;BYDAY=MO,FR"}))

    draft = agent.parse(_providers(bedrock, guards), Profiles(), "alice", LINE, NOW)  # type: ignore[arg-type]

    request = bedrock.requests[0]
    assert request["toolConfig"]["toolChoice"] == {"tool": {"name": "record_task_draft"}}
    assert request["inferenceConfig"]["maxTokens"] == 512 and request["system"][0]["text"] == agent.PARSE_SYSTEM
    assert (draft.dueAt, draft.tags, draft.recurrence, draft.estimateMinutes, draft.difficulty) == (
        None, ["work", "q3"], "FREQ=WEEKLY;BYDAY=MO,FR", 120, "medium")
    assert guards.spent == {("alice", "2026-11-30"): 80} and guards.successes == 1 and guards.models == {"m"}


def test_given_the_local_provider_then_parse_is_local_without_a_reason() -> None:
    providers = Providers(provider="local", model=local_model())
    draft = agent.parse(providers, Profiles(), "alice", LINE, NOW)  # type: ignore[arg-type]
    assert (draft.provider, draft.fallbackReason, draft.timezone) == ("local", None, "Asia/Tokyo")
    assert (draft.tags, draft.recurrence, draft.category) == (["work"], None, "writing")


def test_given_bedrock_then_prioritize_sends_each_task_s_facts_as_json_and_weighs_the_graph() -> None:
    tasks = [_open("contract", priority="high", dueAt=NOW + timedelta(hours=3), estimateMinutes=45),
             _open("sign", priority="low")]
    graph = Graph([("contract", "sign", "blocks")])
    bedrock = FakeBedrock(_tool("record_reasons", {"tasks": [{"id": "sign", "reasons": ["a"]},
                                                             {"id": "contract", "reasons": ["b"]}]}))

    reader, guards = Tasks(tasks), FakeGuards()
    ranked = agent.prioritized(_providers(bedrock, guards), reader, graph, Caller(), NOW,  # type: ignore[arg-type]
                               correlation_id="req-1")

    assert [task.id for task in ranked.tasks] == ["sign", "contract"] and graph.asked == 1
    assert reader.asked == graph.calls == [("alice", "req-1")] and ("alice", "2026-11-30") in guards.spent
    request = bedrock.requests[0]
    prompt = request["messages"][0]["content"][0]["text"]
    head, data = prompt.split("\n", 1)
    assert head == "Now: 2026-11-30T09:00:00+00:00"
    assert json.loads(data.split(":\n", 1)[1])[1] == {
        "id": "contract", "title": "contract", "rank": 2, "status": "todo", "priority": "high",
        "dueAt": "2026-11-30T12:00:00+00:00", "estimateMinutes": 45,
        "facts": ["due in 3 h", "high priority", 'waits on 1 open task: "sign"']}
    assert json.loads(data.split(":\n", 1)[1])[0]["dueAt"] is None
    assert request["inferenceConfig"]["maxTokens"] == 2_000
    assert request["toolConfig"]["toolChoice"] == {"tool": {"name": "record_reasons"}}
    assert request["system"][0]["text"] == agent.PRIORITIZE_SYSTEM


def test_given_an_open_breaker_then_prioritize_keeps_the_local_reasons_and_says_why() -> None:
    guards = FakeGuards()
    guards.open_until = NOW.timestamp() + 5
    ranked = agent.prioritized(_providers(FakeBedrock(), guards), Tasks(TASKS), None, Caller(), NOW)  # type: ignore[arg-type]
    assert (ranked.provider, ranked.fallbackReason) == ("local", "breaker-open")


def test_given_the_local_provider_or_no_tasks_then_prioritize_does_not_read_the_graph_needlessly() -> None:
    graph = Graph([])
    local = Providers(provider="local", model=local_model())
    ranked = agent.prioritized(local, Tasks(TASKS), graph, Caller(), NOW)  # type: ignore[arg-type]
    assert (ranked.provider, ranked.fallbackReason, graph.asked) == ("local", None, 1)
    agent.prioritized(local, Tasks([]), graph, Caller(), NOW)  # type: ignore[arg-type]
    assert graph.asked == 1
