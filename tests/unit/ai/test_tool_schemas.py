"""The tools Bedrock is asked to call: each is a tool Converse accepts, and its schema is exactly the answer
this service then validates (the same fields, choices and limits), so Bedrock is never asked for an answer
that would be refused, nor left free to give one."""

from __future__ import annotations

from typing import Any, get_args

import botocore.session
import pytest
from botocore.validate import ParamValidator

from deepiri_ai.logic.agent import PARSE_TOOL, REASONS_TOOL
from deepiri_ai.logic.engine import CLASSIFY_TOOL
from deepiri_ai.logic.quiz import QUIZ_TOOL
from deepiri_ai.models.agent import Category, Difficulty, DraftToolInput, Priority
from deepiri_ai.models.prioritize import ReasonsToolInput
from deepiri_ai.models.quiz import Question

CATEGORIES, DIFFICULTIES, PRIORITIES = list(get_args(Category)), list(get_args(Difficulty)), list(get_args(Priority))


def _converse_errors(tool: dict[str, Any]) -> str:
    """What botocore's own model of the Converse API finds wrong in a request that offers ``tool``."""
    shape = botocore.session.get_session().get_service_model("bedrock-runtime").operation_model("Converse").input_shape
    request = {"modelId": "m", "messages": [{"role": "user", "content": [{"text": "x"}]}],
               "toolConfig": {"tools": [{"toolSpec": tool}], "toolChoice": {"tool": {"name": tool["name"]}}}}
    return ParamValidator().validate(request, shape).generate_report()


@pytest.mark.parametrize(("tool", "name", "description"), [
    (PARSE_TOOL, "record_task_draft", "Record the task the line describes."),
    (REASONS_TOOL, "record_reasons", "Record the reasons for each task's place."),
    (CLASSIFY_TOOL, "record_classification", "Record the task's category, difficulty and estimate."),
    (QUIZ_TOOL, "record_quiz", "Record the questions."),
])
def test_given_each_tool_then_converse_accepts_it_with_its_name_and_what_it_records(
        tool: dict[str, Any], name: str, description: str) -> None:
    assert _converse_errors(tool) == ""
    assert (tool["name"], tool["description"]) == (name, description)
    assert list(tool) == ["name", "description", "inputSchema"] and list(tool["inputSchema"]) == ["json"]


def test_given_the_draft_tool_then_it_asks_for_the_fields_and_choices_the_draft_is_validated_with() -> None:
    schema = PARSE_TOOL["inputSchema"]["json"]

    assert list(schema["properties"]) == list(DraftToolInput.model_fields)
    assert schema == {"type": "object", "properties": {
        "title": {"type": "string", "description": "the task without its date, priority, tags or estimate"},
        "dueLocal": {"type": ["string", "null"], "description": "local wall time YYYY-MM-DDTHH:MM, or null"},
        "priority": {"type": "string", "enum": PRIORITIES},
        "category": {"type": "string", "enum": CATEGORIES},
        "difficulty": {"type": "string", "enum": DIFFICULTIES},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 20},
        "estimateMinutes": {"type": "integer", "minimum": 1},
        "recurrence": {"type": ["string", "null"], "description": "an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=MO"},
    }, "required": ["title", "priority", "category", "difficulty", "estimateMinutes"]}
    assert DraftToolInput.model_json_schema()["properties"]["tags"]["maxItems"] == 20


def test_given_the_reasons_tool_then_it_asks_for_one_to_five_short_reasons_per_task_id() -> None:
    schema = REASONS_TOOL["inputSchema"]["json"]

    assert list(schema["properties"]) == list(ReasonsToolInput.model_fields)
    assert schema == {"type": "object", "properties": {"tasks": {"type": "array", "items": {
        "type": "object",
        "properties": {"id": {"type": "string"},
                       "reasons": {"type": "array", "items": {"type": "string", "maxLength": 200},
                                   "minItems": 1, "maxItems": 5}},
        "required": ["id", "reasons"]}}}, "required": ["tasks"]}


def test_given_the_classification_tool_then_it_asks_for_a_category_difficulty_estimate_and_confidence() -> None:
    assert CLASSIFY_TOOL["inputSchema"]["json"] == {"type": "object", "properties": {
        "category": {"type": "string", "enum": CATEGORIES},
        "difficulty": {"type": "string", "enum": DIFFICULTIES},
        "estimateMinutes": {"type": "integer", "minimum": 1},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
    }, "required": ["category", "difficulty", "estimateMinutes", "confidence"]}


def test_given_the_quiz_tool_then_each_question_has_four_options_one_correct_and_its_points() -> None:
    schema = QUIZ_TOOL["inputSchema"]["json"]
    question = schema["properties"]["questions"]["items"]

    assert list(question["properties"]) == list(Question.model_fields)
    assert schema == {"type": "object", "properties": {"questions": {"type": "array", "items": {
        "type": "object",
        "properties": {"question": {"type": "string"},
                       "options": {"type": "array", "items": {"type": "string"}, "minItems": 4, "maxItems": 4},
                       "correctAnswer": {"type": "integer", "minimum": 0, "maximum": 3},
                       "points": {"type": "integer", "minimum": 1, "maximum": 100}},
        "required": ["question", "options", "correctAnswer", "points"]}}}, "required": ["questions"]}
