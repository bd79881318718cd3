"""Scores for FFIT answers: plain values in, frozen dataclasses out, no Django.

An answer set maps item keys (``"s1_01"`` … ``"s7_05"``, see ``ffit.questionnaire``) to an int from 0 to 5, or to
None when the item was left unanswered; a missing key also counts as unanswered. Unanswered items are left out of
both the total and the maximum, so a part-filled section is scored on what was answered and ``complete`` says
whether that was everything. Percentages are for comparing sections, not a validated measure (see
``questionnaire.CAVEAT``).

Worked example: one respondent answers three of the four "messages" items 4, 3 and 5, and nothing else.

>>> answers = {"s5_01": 4, "s5_02": 3, "s5_03": 5, "s5_04": None}
>>> messages = section_scores(answers)[4]
>>> messages.key, messages.total, messages.maximum, round(messages.percent, 1), messages.answered, messages.items
('messages', 12, 15, 80.0, 3, 4)
>>> messages.complete
False
>>> section_scores(answers)[0].percent is None  # nothing answered in section 1
True
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ffit.questionnaire import ITEMS_BY_KEY, SCALE, SECTIONS

LOWEST = SCALE[0][0]
HIGHEST = SCALE[-1][0]

OVERALL_KEY = "overall"
OVERALL_TITLE = "All sections"


@dataclass(frozen=True)
class SectionScore:
    key: str
    title: str
    total: int | float  # an int for one respondent; a float (sum of item means) for combined answers
    maximum: int  # HIGHEST × answered
    percent: float | None  # None when nothing was answered: 0 % would claim a score nobody gave
    answered: int
    items: int
    complete: bool


def _validated(answers: Mapping[str, int | None]) -> Mapping[str, int | None]:
    if not isinstance(answers, Mapping):
        raise TypeError(f"FFIT answers must be a mapping of item key to score, not {type(answers).__name__}.")
    for key, value in answers.items():
        if key not in ITEMS_BY_KEY:
            raise ValueError(f"Unknown FFIT item key {key!r}.")
        if value is None:
            continue
        # bool is an int subclass, and True would otherwise score as 1.
        if isinstance(value, bool) or not isinstance(value, int) or not LOWEST <= value <= HIGHEST:
            raise ValueError(
                f"Answer {value!r} for FFIT item {key!r} must be a whole number from {LOWEST} to {HIGHEST}, or None."
            )
    return answers


def _score(
    key: str, title: str, item_keys: list[str], values: Mapping[str, float | None], *, mean: bool
) -> SectionScore:
    given = [values[item_key] for item_key in item_keys if values.get(item_key) is not None]
    total = math.fsum(given) if mean else sum(given)
    maximum = HIGHEST * len(given)
    return SectionScore(
        key=key,
        title=title,
        total=total,
        maximum=maximum,
        percent=100 * total / maximum if maximum else None,
        answered=len(given),
        items=len(item_keys),
        complete=len(given) == len(item_keys),
    )


def _section_scores(values: Mapping[str, float | None], *, mean: bool) -> list[SectionScore]:
    return [
        _score(section.key, section.title, [item.key for item in section.items], values, mean=mean)
        for section in SECTIONS
    ]


def section_scores(answers: Mapping[str, int | None]) -> list[SectionScore]:
    """Score one respondent's answers, one SectionScore per section in tool order.

    >>> [(s.key, s.total, s.maximum, s.answered) for s in section_scores({"s2_01": 1, "s2_06": 2})][:2]
    [('frontline_staff', 0, 0, 0), ('resourcing', 3, 10, 2)]

    Raises ValueError for an unknown item key or an answer that is not an int from 0 to 5 or None.
    """
    return _section_scores(_validated(answers), mean=False)


def overall_score(answers: Mapping[str, int | None]) -> SectionScore:
    """Score one respondent's answers across all 45 items.

    >>> score = overall_score(dict.fromkeys(ITEMS_BY_KEY, 5) | {"s7_05": None})
    >>> score.total, score.maximum, score.percent, score.answered, score.items, score.complete
    (220, 220, 100.0, 44, 45, False)
    """
    return _score(OVERALL_KEY, OVERALL_TITLE, list(ITEMS_BY_KEY), _validated(answers), mean=False)


def _all_validated(respondents: Iterable[Mapping[str, int | None]]) -> list[Mapping[str, int | None]]:
    checked = []
    for number, answers in enumerate(respondents, start=1):
        try:
            checked.append(_validated(answers))
        except (TypeError, ValueError) as error:
            raise type(error)(f"Respondent {number}: {error}") from error
    return checked


def combined_answers(respondents: Iterable[Mapping[str, int | None]]) -> dict[str, float | None]:
    """Mean answer per item across respondents, ignoring those who left it unanswered; None if nobody answered.

    Every item of the tool appears in the result, in tool order.

    >>> combined = combined_answers([{"s1_01": 2, "s1_02": 4}, {"s1_01": 5, "s1_02": None}])
    >>> combined["s1_01"], combined["s1_02"], combined["s1_03"]
    (3.5, 4.0, None)
    """
    checked = _all_validated(respondents)
    combined: dict[str, float | None] = {}
    for key in ITEMS_BY_KEY:
        given = [answers[key] for answers in checked if answers.get(key) is not None]
        combined[key] = math.fsum(given) / len(given) if given else None
    return combined


def combined_section_scores(respondents: Iterable[Mapping[str, int | None]]) -> list[SectionScore]:
    """Section scores of the per-item means from combined_answers(); totals are floats.

    An item counts as answered when at least one respondent answered it.

    >>> scores = combined_section_scores([{"s6_01": 2, "s6_02": 4}, {"s6_01": 5}])
    >>> learning = scores[5]
    >>> learning.key, learning.total, learning.maximum, learning.percent, learning.answered
    ('learning', 7.5, 10, 75.0, 2)
    """
    return _section_scores(combined_answers(respondents), mean=True)


def disagreements(respondents: Iterable[Mapping[str, int | None]], threshold: int = 2) -> list[tuple[str, int, int]]:
    """Items whose answers differ by ``threshold`` or more between respondents, as (item key, lowest, highest).

    Worth talking through before trusting a mean: 1 and 5 average to the same 3 as two 3s.

    >>> disagreements([{"s1_01": 1, "s1_02": 3}, {"s1_01": 5, "s1_02": 4}, {"s1_01": None}])
    [('s1_01', 1, 5)]
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValueError(f"Disagreement threshold {threshold!r} must be a whole number of at least 1.")
    checked = _all_validated(respondents)
    found = []
    for key in ITEMS_BY_KEY:
        given = [answers[key] for answers in checked if answers.get(key) is not None]
        if given and max(given) - min(given) >= threshold:
            found.append((key, min(given), max(given)))
    return found
