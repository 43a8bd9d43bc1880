"""The mapping's edges: which JSON identifies an issue, how titles, descriptions, labels, milestones, links
and assignees are cleaned, which sources want an item, and what IntegrationItemImported carries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from deepiri_integrations.logic import mapping
from deepiri_integrations.models.connections import IntegrationSources


def _issue(**fields: Any) -> dict[str, Any]:
    return {"number": 12, "title": "Fix it", "state": "open", "updated_at": "2026-11-30T10:00:00Z",
            "html_url": "https://github.com/ada/engine/issues/12",
            "repository_url": "https://api.github.com/repos/ada/engine", "assignees": [{"login": "ada"}], **fields}


def test_given_an_issue_with_its_repository_object_then_its_full_name_is_the_repository() -> None:
    item = mapping.github_issue(_issue(repository={"full_name": "ada/other"}, repository_url=None))
    assert item is not None and (item.repository, item.externalRef) == ("ada/other", "ada/other#12")


def test_given_a_repository_object_without_a_name_then_the_repository_url_is_used() -> None:
    item = mapping.github_issue(_issue(repository={"id": 1}))
    assert item is not None and item.repository == "ada/engine"


@pytest.mark.parametrize("fields", [{"number": "12"}, {"number": None}, {"updated_at": None},
                                    {"repository_url": None}, {"repository_url": "https://api.github.com/ada"}])
def test_given_an_issue_missing_one_identifying_field_then_no_item(fields: dict[str, Any]) -> None:
    assert mapping.github_issue(_issue(**fields)) is None


def test_given_an_open_issue_without_extras_then_it_is_todo_with_its_link_and_no_description_or_due() -> None:
    item = mapping.github_issue(_issue(body=None, milestone=None, labels=None))

    assert item is not None
    assert (item.status, item.description, item.dueAt, item.tags) == ("todo", None, None, [])
    assert item.url == "https://github.com/ada/engine/issues/12" and item.title == "Fix it"
    assert item.updatedAt == datetime(2026, 11, 30, 10, tzinfo=UTC)


@pytest.mark.parametrize("title", [None, "", " \u200b\t "])
def test_given_an_issue_without_a_visible_title_then_its_reference_is_the_title(title: Any) -> None:
    item = mapping.github_issue(_issue(title=title))
    assert item is not None and item.title == "ada/engine#12"


def test_given_a_long_title_then_it_is_cut_to_500_characters() -> None:
    item = mapping.github_issue(_issue(title="x" * 501))
    assert item is not None and item.title == "x" * 500
    assert mapping.clean_title("y" * 501) == "y" * 500 and mapping.clean_title("y" * 500) == "y" * 500


@pytest.mark.parametrize("milestone", ["v1", {"title": "v1"}, {"title": "v1", "due_on": None}])
def test_given_a_milestone_without_a_due_date_then_the_issue_has_no_due_date(milestone: Any) -> None:
    item = mapping.github_issue(_issue(milestone=milestone))
    assert item is not None and item.dueAt is None


def test_given_an_html_url_that_is_not_text_then_there_is_no_link() -> None:
    item = mapping.github_issue(_issue(html_url=["https://example.com"]))
    assert item is not None and item.url is None


def test_given_assignees_in_odd_shapes_then_only_logins_that_are_text_are_kept() -> None:
    item = mapping.github_issue(_issue(assignees=["ada", {"login": 5}, {"id": 3}, {"login": "bob"}]))
    assert item is not None and item.assignees == ["bob"]


def test_given_no_value_then_cleaning_yields_nothing() -> None:
    assert mapping.clean_title(None) == "" and mapping.clean_description(None) is None
    assert mapping.clean_description("\x00\u200b") is None
    assert mapping.clean_description("a\tb\r\nc\x07") == "a\tb\r\nc"
    assert mapping.clean_description("z" * 20_001) == "z" * 20_000


def test_given_labels_then_tags_are_single_spaced_lower_case_once_and_cut() -> None:
    labels = [{"name": "Good  first\u200bissue"}, {"name": None}, None, "", {"color": "red"}, "GOOD first issue",
              "x" * 51]
    assert mapping.tags(labels) == ["good first issue", "x" * 50]


def test_given_more_than_twenty_labels_then_the_first_twenty_are_kept() -> None:
    assert mapping.tags([f"t{n}" for n in range(25)]) == [f"t{n}" for n in range(20)]


@pytest.mark.parametrize("labels", ["bug", {"name": "bug"}, None, 3])
def test_given_labels_that_are_not_a_list_then_no_tags(labels: Any) -> None:
    assert mapping.tags(labels) == []


def test_given_bodies_that_are_not_objects_then_they_read_as_empty() -> None:
    assert mapping.json_object(b'{"a": 1}') == {"a": 1}
    assert mapping.json_object(b"[1, 2]") == {} and mapping.json_object(b'"text"') == {}
    assert mapping.json_object(b"{broken") == {}
    assert mapping.object_at({"a": {"b": 1}}, "a") == {"b": 1}
    assert mapping.object_at({"a": [1]}, "a") == {} and mapping.object_at({}, "a") == {}


def test_given_a_user_who_skips_pull_requests_then_issues_are_still_wanted() -> None:
    issue = mapping.github_issue(_issue())
    assert issue is not None and mapping.wanted(issue, IntegrationSources(pullRequests=False))


def test_given_an_item_then_the_imported_event_carries_its_fields() -> None:
    item = mapping.github_issue(_issue(labels=["Bug"], body="why", milestone={"due_on": "2026-12-01T00:00:00Z"}))
    assert item is not None

    data = mapping.imported_event_data("u-1", "github", item)

    assert data.model_dump() == {
        "userId": "u-1", "provider": "github", "externalRef": "ada/engine#12", "title": "Fix it",
        "description": "why", "dueAt": datetime(2026, 12, 1, tzinfo=UTC), "status": "todo",
        "url": "https://github.com/ada/engine/issues/12", "tags": ["bug"]}
