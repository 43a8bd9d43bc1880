"""The classifier's arithmetic on a hand-made artefact, its text features, and the users' timezones kept.

The committed artefact's accuracy is tests/unit/ai/test_classifier.py; here every number is worked out from
weights small enough to follow, so a changed softmax, clamp, rounding or feature would show.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import pytest

from deepiri_ai.logic import profiles
from deepiri_ai.logic.classifier import LocalModel, local_model
from deepiri_ai.logic.features import MAX_CHARS, features, tokens, weighted
from deepiri_ai.models.profiles import Profile, UserSettingsData

CATEGORIES = ["code", "writing", "study", "admin", "meeting"]


def _artefact(estimate_intercept: float, **extra: Any) -> dict[str, Any]:
    return {
        "features": ["w:alpha", "w:beta"],
        "idf": [1.0, 1.0],
        "category": {"labels": CATEGORIES, "intercept": [0.0, 0.5, 0.0, 0.0, 0.0],
                     "weights": [[2.0, -1.0], [1.0, 0.0], [0.0, 3.0], [-1.0, 0.0], [-2.0, 0.0]]},
        "difficulty": {"labels": ["easy", "hard"], "intercept": [0.0, 0.0], "weights": [[1.0, -1.0], [-1.0, 1.0]]},
        "estimate": {"intercept": estimate_intercept, "weights": [0.0, math.log(2.0)]},
        **extra,
    }


def test_given_one_known_word_then_the_softmax_of_its_weights_ranks_the_categories() -> None:
    prediction = LocalModel(_artefact(math.log(60))).predict("alpha")

    scores = [2.0, 1.5, 0.0, -1.0, -2.0]  # intercept + weight x 1.0 (the only feature, normalised)
    total = sum(math.exp(score) for score in scores)
    shares = [round(math.exp(score) / total, 4) for score in scores]
    assert prediction.category == "code" and prediction.confidence == shares[0]
    assert prediction.alternatives == (("writing", shares[1]), ("study", shares[2]), ("admin", shares[3]))
    assert prediction.difficulty == "easy"
    assert prediction.estimate_minutes == 60


def test_given_two_words_then_both_weigh_after_normalising_and_the_description_counts() -> None:
    model = LocalModel(_artefact(math.log(60)))

    prediction = model.predict("beta")
    assert (prediction.category, prediction.difficulty, prediction.estimate_minutes) == ("study", "hard", 120)

    both = model.predict("alpha", "beta")  # the description is read with the title
    half = 1 / math.sqrt(2)
    scores = [2 * half - half, 0.5 + half, 3 * half, -half, -2 * half]
    total = sum(math.exp(score) for score in scores)
    assert both.category == "study" and both.confidence == round(math.exp(3 * half) / total, 4)
    assert both.estimate_minutes == 5 * round(60 * 2 ** half / 5)  # 97.99... minutes: 100


@pytest.mark.parametrize(("minutes", "estimate"), [
    (1.0, 5), (7.4, 5), (7.6, 10), (37.0, 35), (38.0, 40), (2_397.0, 2_395), (2_399.0, 2_400), (100_000.0, 2_400)])
def test_given_an_estimate_then_it_is_rounded_to_five_minutes_between_5_and_2400(minutes: float, estimate: int) -> None:
    assert LocalModel(_artefact(math.log(minutes))).predict("alpha").estimate_minutes == estimate


def test_given_no_known_word_then_the_intercepts_decide_and_held_out_defaults_to_empty() -> None:
    model = LocalModel(_artefact(math.log(30)))
    prediction = model.predict("zzz qqq")
    assert prediction.category == "writing" and prediction.estimate_minutes == 30
    assert model.held_out == {}
    assert LocalModel(_artefact(0.0, heldOut={"category": {"accuracy": 0.9}})).held_out == {
        "category": {"accuracy": 0.9}}


def test_given_the_shipped_model_then_it_is_loaded_once_with_its_held_out_figures() -> None:
    assert local_model() is local_model()
    assert set(local_model().held_out) >= {"category"} and len(local_model().category.labels) == 9


def test_given_text_then_its_words_are_lower_cased_with_inner_marks_kept() -> None:
    assert tokens("Fix C++ in node.js, don't WAIT! #ops's 3.5x") == [
        "fix", "c", "in", "node.js", "don't", "wait", "ops's", "3.5x"]


def test_given_a_text_longer_than_the_limit_then_only_its_first_5500_characters_count() -> None:
    assert MAX_CHARS == 5_500
    assert tokens("a " * 2_749 + "bzz")[-1] == "bz"  # the 5,500th character is the last read
    assert tokens("a " * 2_750 + "bzz")[-1] == "a"


def test_given_two_words_then_words_pairs_and_character_grams_are_counted() -> None:
    assert features("Ab cd ab") == Counter({
        "w:ab": 2, "w:cd": 1, "b:ab cd": 1, "b:cd ab": 1,
        "c: ab": 2, "c:ab ": 2, "c: ab ": 2, "c: cd": 1, "c:cd ": 1, "c: cd ": 1})
    assert features("word")["c: wor"] == 1 and features("word")["c:ord "] == 1 and features("word")["c:wor"] == 1
    assert features("") == Counter()


def test_given_counts_then_the_vector_is_sublinear_tf_idf_with_unit_length_over_known_features() -> None:
    vector = weighted(Counter({"w:a": 1, "w:b": 4, "w:unknown": 9}), {"w:a": 2.0, "w:b": 1.0})
    a, b = 2.0, 1.0 + math.log(4)
    norm = math.hypot(a, b)
    assert vector == pytest.approx({"w:a": a / norm, "w:b": b / norm})
    assert weighted(Counter({"w:unknown": 1}), {"w:a": 2.0}) == {}
    assert weighted(Counter({"w:a": 3}), {"w:a": 0.0}) == {}  # a zero vector has no direction


class FakeProfiles:
    """The profile table in memory, keeping the latest settings by (at, eventId) as the DynamoDB one does."""

    def __init__(self) -> None:
        self.items: dict[str, Profile] = {}

    def profile(self, user_id: str) -> Profile:
        return self.items.get(user_id, Profile(userId=user_id))

    def save(self, profile: Profile) -> bool:
        kept = self.items.get(profile.userId)
        if kept is not None and (kept.at, kept.eventId) >= (profile.at, profile.eventId):
            return False
        self.items[profile.userId] = profile
        return True

    def forget(self, user_id: str) -> None:
        self.items.pop(user_id, None)


def test_given_settings_events_then_the_latest_timezone_is_kept_and_read() -> None:
    repository = FakeProfiles()
    paris = UserSettingsData(userId="u1", timezone="Europe/Paris", dayStartHour=4)

    assert profiles.timezone_of(repository, "u1") == "UTC"  # type: ignore[arg-type]
    assert profiles.settings_changed(repository, "e2", "2026-11-30T10:00:00Z", paris)  # type: ignore[arg-type]
    assert repository.items["u1"] == Profile(userId="u1", timezone="Europe/Paris", dayStartHour=4,
                                             at="2026-11-30T10:00:00Z", eventId="e2")
    older = UserSettingsData(userId="u1", timezone="Asia/Tokyo", dayStartHour=0)
    assert not profiles.settings_changed(repository, "e1", "2026-11-30T09:00:00Z", older)  # type: ignore[arg-type]
    assert profiles.timezone_of(repository, "u1") == "Europe/Paris"  # type: ignore[arg-type]

    profiles.forget(repository, "u1")  # type: ignore[arg-type]
    assert profiles.timezone_of(repository, "u1") == "UTC" and repository.items == {}  # type: ignore[arg-type]


def test_given_a_confident_prediction_then_the_confidence_has_four_decimals() -> None:
    prediction = LocalModel(_artefact(math.log(60))).predict("beta")
    assert prediction.confidence == 0.8334  # 0.833350... : five decimals would be 0.83335
    assert prediction.alternatives[0] == ("writing", 0.0684)


def test_given_scores_far_beyond_what_exp_can_hold_then_the_softmax_still_answers() -> None:
    artefact = _artefact(math.log(60))
    artefact["category"]["intercept"] = [800.0, 799.0, 0.0, 0.0, 0.0]  # exp(800) overflows a float
    prediction = LocalModel(artefact).predict("zzz")
    assert prediction.category == "code" and prediction.confidence == round(1 / (1 + math.exp(-1)), 4)


@pytest.mark.parametrize(("part", "cut"), [("idf", None), ("estimate", "weights"), ("category", "labels")])
def test_given_an_artefact_whose_lists_do_not_match_its_features_then_it_is_refused(part: str, cut: str | None) -> None:
    artefact = _artefact(math.log(60))
    if cut is None:
        artefact[part] = artefact[part][:1]
    else:
        artefact[part][cut] = artefact[part][cut][:-1]
    with pytest.raises(ValueError, match="zip"):
        LocalModel(artefact).predict("alpha")
