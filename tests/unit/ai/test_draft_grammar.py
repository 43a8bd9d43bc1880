"""The task-line grammar phrase by phrase: priority, recurrence, estimate, tags and the title left over.

The classifier is a recording fake here: what it is asked (the title alone) and what it answers (category,
difficulty and, when the line names none, the estimate) are checked, not the trained weights.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from deepiri_ai.logic.classifier import Prediction
from deepiri_ai.logic.drafts import Draft, parse

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


class RecordingModel:
    def __init__(self) -> None:
        self.asked: list[tuple[str, str | None]] = []

    def predict(self, title: str, description: str | None = None) -> Prediction:
        self.asked.append((title, description))
        return Prediction(category="code", difficulty="hard", estimate_minutes=77, confidence=0.9, alternatives=())


def _parse(text: str) -> Draft:
    return parse(text, MONDAY, "UTC", RecordingModel())  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "priority"), [
    ("fix bug urgent priority", "urgent"),
    ("fix bug high-prio", "high"),
    ("fix bug medium priority", "medium"),
    ("fix bug low prio", "low"),
    ("fix bug priority: low", "low"),
    ("fix bug prio=normal", "medium"),
    ("fix bug asap", "urgent"),
    ("fix bug urgently", "urgent"),
    ("fix bug urgent", "urgent"),
    ("fix bug p1", "urgent"),
    ("fix bug p2", "high"),
    ("fix bug P3", "medium"),
    ("fix bug p4", "low"),
    ("fix bug !!!", "urgent"),
    ("fix bug !!", "high"),
    ("fix bug, p1", "urgent"),
])
def test_given_a_priority_phrase_then_it_sets_the_priority_and_leaves_the_title(text: str, priority: str) -> None:
    draft = _parse(text)
    assert (draft.priority, draft.title) == (priority, "fix bug")


@pytest.mark.parametrize(("text", "title"), [
    ("fix bug p5", "fix bug p5"), ("fix bug !", "fix bug!"), ("fix bug", "fix bug")])
def test_given_no_priority_phrase_then_medium_and_the_words_stay_in_the_title(text: str, title: str) -> None:
    draft = _parse(text)
    assert (draft.priority, draft.title) == ("medium", title)


@pytest.mark.parametrize(("text", "rule"), [
    ("standup every weekday", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    ("standup on weekdays", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
    ("standup daily", "FREQ=DAILY"),
    ("standup each day", "FREQ=DAILY"),
    ("standup every tuesday", "FREQ=WEEKLY;BYDAY=TU"),
    ("standup every sun", "FREQ=WEEKLY;BYDAY=SU"),
    ("standup every monday", "FREQ=WEEKLY;BYDAY=MO"),
    ("standup every 2 weeks", "FREQ=WEEKLY;INTERVAL=2"),
    ("standup every 3 days", "FREQ=DAILY;INTERVAL=3"),
    ("standup every 10 months", "FREQ=MONTHLY;INTERVAL=10"),
    ("standup weekly", "FREQ=WEEKLY"),
    ("standup every week", "FREQ=WEEKLY"),
    ("standup monthly", "FREQ=MONTHLY"),
    ("standup every month", "FREQ=MONTHLY"),  # not a Monday
    ("standup each year", "FREQ=YEARLY"),
    ("standup annually", "FREQ=YEARLY"),
])
def test_given_a_recurrence_phrase_then_its_rule_and_the_title_without_it(text: str, rule: str) -> None:
    draft = _parse(text)
    assert (draft.recurrence, draft.title) == (rule, "standup")


def test_given_a_recurrence_then_its_words_are_not_read_as_a_due_day() -> None:
    draft = _parse("every day at 9am stretch")
    assert (draft.recurrence, draft.title) == ("FREQ=DAILY", "stretch")
    assert draft.due_at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 9:00 has come today: tomorrow's


@pytest.mark.parametrize(("text", "minutes"), [
    ("write for 2h", 120),
    ("write takes 1.5 hours", 90),
    ("write about 3 hrs", 180),
    ("write (45 min)", 45),
    ("write ~30m", 30),
    ("write 90 minutes", 90),
    ("write 0 min", 1),  # at least a minute
    ("write 999 hours", 59_940),
])
def test_given_an_estimate_then_it_is_in_minutes_and_the_title_loses_it(text: str, minutes: int) -> None:
    draft = _parse(text)
    assert (draft.estimate_minutes, draft.title) == (minutes, "write")


def test_given_no_estimate_then_the_classifier_s_estimate_category_and_difficulty_for_the_title_alone() -> None:
    model = RecordingModel()
    draft = parse("write the report tomorrow p2 #work", MONDAY, "UTC", model)  # type: ignore[arg-type]
    assert model.asked == [("write the report", None)]
    assert (draft.category, draft.difficulty, draft.estimate_minutes) == ("code", "hard", 77)
    assert draft.tags == ("work",) and draft.priority == "high"
    assert draft.due_at == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "title"), [
    ("email Bob, by tomorrow", "email Bob"),
    ("call Ann at 5pm", "call Ann"),
    ("call Ann on friday", "call Ann"),
    ("ship @ 17:45", "ship"),
    ("buy milk tomorrow , eggs", "buy milk, eggs"),
    ("plan party and tomorrow", "plan party"),
    ("- buy milk -", "buy milk"),
    ("send it ; due friday", "send it"),
    ("  tomorrow 5pm  ", "tomorrow 5pm"),  # nothing but phrases: the line itself
    ("Pay rent AND tomorrow", "Pay rent"),  # a dangling word in capitals goes too
    ("Email Bob, BY tomorrow", "Email Bob"),
    ("launch Project X tomorrow", "launch Project X"),  # only spaces and punctuation are trimmed
    ("X marks the spot tomorrow", "X marks the spot"),
])
def test_given_phrases_taken_out_then_the_title_is_the_rest_tidied(text: str, title: str) -> None:
    assert _parse(text).title == title


def test_given_a_long_line_then_the_title_is_cut_at_500_characters() -> None:
    assert _parse("word " * 200).title == ("word " * 100)[:500]
    assert _parse("tomorrow " + "x" * 600).title == "x" * 500
    only_tags = " ".join(f"#t{n}" for n in range(200))  # nothing but phrases: the line itself, cut
    assert _parse(only_tags).title == only_tags[:500]
    assert _parse("write 999.9 hours").estimate_minutes == 59_994


def test_given_tags_then_they_are_lower_cased_once_each_and_not_in_the_title() -> None:
    draft = _parse("#Work plan #work #a&#x email@#y #-no #" + "t" * 50)
    assert draft.tags == ("work", "a", "y", "t" * 50)
    assert draft.title == "plan &#x email@ #-no"
