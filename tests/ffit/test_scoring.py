"""FFIT scoring: one respondent, several combined, and the answers it refuses."""

import doctest

import pytest

from ffit import scoring
from ffit.questionnaire import ITEMS_BY_KEY, SECTIONS
from ffit.scoring import (
    SectionScore,
    combined_answers,
    combined_section_scores,
    disagreements,
    overall_score,
    section_scores,
)

ALL_KEYS = list(ITEMS_BY_KEY)


def test_docstring_examples_hold():
    assert doctest.testmod(scoring, raise_on_error=True).attempted >= 7


def test_complete_answers_score_every_section():
    answers = dict.fromkeys(ALL_KEYS, 3)
    scores = section_scores(answers)
    assert [score.key for score in scores] == [section.key for section in SECTIONS]
    assert [score.title for score in scores] == [section.title for section in SECTIONS]
    assert [(score.total, score.maximum, score.items) for score in scores] == [
        (33, 55, 11),
        (21, 35, 7),
        (21, 35, 7),
        (21, 35, 7),
        (12, 20, 4),
        (12, 20, 4),
        (15, 25, 5),
    ]
    assert all(score.percent == 60.0 and score.complete and score.answered == score.items for score in scores)
    assert overall_score(answers) == SectionScore(
        key="overall",
        title="All sections",
        total=135,
        maximum=225,
        percent=60.0,
        answered=45,
        items=45,
        complete=True,
    )


def test_totals_follow_the_answers_given():
    answers = {"s1_01": 0, "s1_02": 5, "s1_03": 4, "s1_04": 1}
    frontline = section_scores(answers)[0]
    assert (frontline.total, frontline.maximum, frontline.answered) == (10, 20, 4)
    assert frontline.percent == 50.0
    assert isinstance(frontline.total, int) and isinstance(frontline.percent, float)


def test_partial_answers_are_scored_on_what_was_answered():
    answers = {"s5_01": 4, "s5_02": None, "s5_03": 2}  # s5_04 missing: unanswered like None
    messages = section_scores(answers)[4]
    assert (messages.total, messages.maximum, messages.answered, messages.items) == (6, 10, 2, 4)
    assert messages.percent == 60.0
    assert not messages.complete
    overall = overall_score(answers)
    assert (overall.total, overall.maximum, overall.answered, overall.complete) == (6, 10, 2, False)


def test_all_zero_answers_score_zero_not_none():
    learning = section_scores({"s6_01": 0, "s6_02": 0, "s6_03": 0, "s6_04": 0})[5]
    assert (learning.total, learning.percent, learning.complete) == (0, 0.0, True)


@pytest.mark.parametrize("answers", [{}, dict.fromkeys(ALL_KEYS)], ids=["no keys", "all None"])
def test_empty_answers_have_no_percentage(answers):
    for score in [*section_scores(answers), overall_score(answers)]:
        assert (score.total, score.maximum, score.percent, score.answered, score.complete) == (0, 0, None, 0, False)


@pytest.mark.parametrize("value", [True, False, 6, -1, 2.5, 3.0, "3", [3]], ids=repr)
def test_an_answer_that_is_not_a_whole_number_from_0_to_5_is_refused(value):
    with pytest.raises(ValueError) as raised:
        section_scores({"s2_03": value})
    assert repr(value) in str(raised.value) and "'s2_03'" in str(raised.value)
    with pytest.raises(ValueError, match="s2_03"):
        overall_score({"s2_03": value})


def test_an_unknown_item_key_is_refused():
    with pytest.raises(ValueError, match="'s8_01'"):
        section_scores({"s1_01": 3, "s8_01": 3})
    with pytest.raises(ValueError, match="'s1_1'"):
        overall_score({"s1_1": 3})


def test_answers_must_be_a_mapping():
    with pytest.raises(TypeError, match="list"):
        section_scores([("s1_01", 3)])  # type: ignore[arg-type]


def test_scores_are_frozen():
    with pytest.raises(AttributeError):
        overall_score({}).total = 99  # type: ignore[misc]


def test_combined_answers_are_the_mean_of_those_who_answered():
    respondents = [
        {"s1_01": 2, "s1_02": 4, "s1_03": None},
        {"s1_01": 5, "s1_02": 1},
        {"s1_01": 4},
    ]
    combined = combined_answers(respondents)
    assert list(combined) == ALL_KEYS
    assert combined["s1_01"] == pytest.approx(11 / 3)
    assert combined["s1_02"] == 2.5
    assert combined["s1_03"] is None
    assert combined["s7_05"] is None


def test_combined_answers_of_nobody_are_all_none():
    assert set(combined_answers([]).values()) == {None}
    assert all(score.percent is None for score in combined_section_scores([]))


def test_combined_section_scores_use_the_item_means():
    respondents = [
        {"s4_01": 1, "s4_02": 2, "s4_03": 3},
        {"s4_01": 4, "s4_02": 2},
        {"s4_01": 2},
    ]
    confidence = combined_section_scores(respondents)[3]
    assert confidence.key == "confidence"
    # Means: s4_01 7/3, s4_02 2, s4_03 3; four items nobody answered.
    assert confidence.total == pytest.approx(7 / 3 + 2 + 3)
    assert isinstance(confidence.total, float)
    assert (confidence.maximum, confidence.answered, confidence.items, confidence.complete) == (15, 3, 7, False)
    assert confidence.percent == pytest.approx(100 * (7 / 3 + 5) / 15)
    untouched = combined_section_scores(respondents)[0]
    assert (untouched.total, untouched.maximum, untouched.percent) == (0.0, 0, None)


def test_combined_scores_of_one_respondent_match_their_own():
    answers = {key: index % 6 for index, key in enumerate(ALL_KEYS)}
    for own, combined in zip(section_scores(answers), combined_section_scores([answers]), strict=True):
        assert combined.total == pytest.approx(own.total)
        assert combined.percent == pytest.approx(own.percent)
        assert (combined.maximum, combined.answered, combined.complete) == (own.maximum, own.answered, own.complete)


def test_combining_refuses_a_bad_answer_and_says_whose():
    with pytest.raises(ValueError, match=r"Respondent 2: .*True.*'s3_01'"):
        combined_answers([{"s3_01": 2}, {"s3_01": True}])
    with pytest.raises(ValueError, match=r"Respondent 1: .*'nope'"):
        combined_section_scores([{"nope": 2}])
    with pytest.raises(ValueError, match=r"Respondent 3: .*2\.5"):
        disagreements([{}, {}, {"s1_01": 2.5}])


def test_disagreements_list_items_two_or_more_apart_in_tool_order():
    respondents = [
        {"s1_01": 1, "s1_02": 3, "s2_01": 0, "s7_05": 5},
        {"s1_01": 2, "s1_02": 4, "s2_01": 4, "s7_05": None},
        {"s1_01": 3, "s1_02": None, "s2_01": 2},
    ]
    assert disagreements(respondents) == [("s1_01", 1, 3), ("s2_01", 0, 4)]
    assert disagreements(respondents, threshold=1) == [("s1_01", 1, 3), ("s1_02", 3, 4), ("s2_01", 0, 4)]
    assert disagreements(respondents, threshold=4) == [("s2_01", 0, 4)]


def test_no_disagreement_with_one_respondent_or_none():
    assert disagreements([dict.fromkeys(ALL_KEYS, 0)]) == []
    assert disagreements([]) == []


@pytest.mark.parametrize("threshold", [0, -1, 1.5, True, "2"], ids=repr)
def test_disagreement_threshold_must_be_a_positive_whole_number(threshold):
    with pytest.raises(ValueError, match="threshold"):
        disagreements([{"s1_01": 0}, {"s1_01": 5}], threshold=threshold)
