"""The cohort query's start and result against a recording engine: the first week asked, the states passed
through, the rows read only once the query succeeded, and each share rounded to four places."""

from __future__ import annotations

from datetime import date

import pytest

from deepiri_analytics.logic import cohorts


class RecordingEngine:
    def __init__(self, state: str, rows: list[list[str]] | None = None) -> None:
        self.sql: list[str] = []
        self.asked: list[tuple[str, str]] = []
        self._state, self._rows = state, rows or []

    def start(self, sql: str) -> str:
        self.sql.append(sql)
        return "q-1"

    def state(self, query_id: str) -> str:
        self.asked.append(("state", query_id))
        return self._state

    def rows(self, query_id: str) -> list[list[str]]:
        self.asked.append(("rows", query_id))
        return self._rows


def test_given_a_number_of_weeks_then_the_query_starts_at_the_monday_that_many_weeks_back() -> None:
    engine = RecordingEngine("QUEUED")
    today = date(2026, 3, 18)  # a Wednesday of week 2932

    answer = cohorts.start(engine, "deepiri_events", 4, today)

    assert answer == cohorts.CohortQuery(queryId="q-1", state="QUEUED", cohorts=None)
    assert cohorts.week_index(today) == 2932
    assert engine.sql == [cohorts.cohort_sql("deepiri_events", 2929)]
    assert "FROM deepiri_events" in engine.sql[0] and "reg.cohort >= 2929" in engine.sql[0]
    assert "WHERE cohort >= 2929" in engine.sql[0]


@pytest.mark.parametrize("state", ["QUEUED", "RUNNING", "FAILED", "CANCELLED"])
def test_given_a_query_not_succeeded_then_its_state_and_no_rows_read(state: str) -> None:
    engine = RecordingEngine(state, [["2929", "-1", "1"]])
    assert cohorts.result(engine, "q-1") == cohorts.CohortQuery(queryId="q-1", state=state, cohorts=None)
    assert engine.asked == [("state", "q-1")]


def test_given_a_query_succeeded_then_its_rows_become_cohorts_with_shares_to_four_places() -> None:
    engine = RecordingEngine("SUCCEEDED", [["2929", "-1", "3"], ["2929", "0", "3"], ["2929", "1", "1"],
                                           ["2929", "3", "2"], ["2930", "-1", "1"], ["2930", "0", "1"]])

    answer = cohorts.result(engine, "q-1")

    assert engine.asked == [("state", "q-1"), ("rows", "q-1")]
    assert answer.state == "SUCCEEDED" and answer.queryId == "q-1"
    assert [(c.week, c.users, c.retention) for c in answer.cohorts or []] == [
        ("2026-02-23", 3, [1.0, 0.3333, 0.0, 0.6667]), ("2026-03-02", 1, [1.0])]


def test_given_weeks_around_the_epoch_monday_then_their_index_counts_from_it() -> None:
    assert cohorts.week_index(date(1970, 1, 5)) == 0
    assert cohorts.week_index(date(1970, 1, 11)) == 0
    assert cohorts.week_index(date(1970, 1, 12)) == 1
    assert cohorts.week_index(date(1970, 1, 4)) == -1
