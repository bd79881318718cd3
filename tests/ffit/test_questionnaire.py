"""The tool's wording is the seed's: every stem, item and scale label, checked against seed 001's Appendix 1."""

import re

import pytest

from ffit import questionnaire
from ffit.questionnaire import CAVEAT, INTRODUCTION, ITEMS_BY_KEY, RESPONDENTS, SCALE, SECTIONS
from tests.ffit.seed import seed_lines

APPENDIX_HEADING = "Appendix 1: The Fitness for Improvement Tool (FFIT) – a potential SOFFT audit tool"
FINDINGS_HEADING = "The findings that underpinned the FFIT:"
MARKDOWN_ITEM = re.compile(r"^\| • (?P<text>.+?) \| 0 1 2 3 4 5 \|$")  # sections 1-2 (~828-850)
LIST_ITEM = re.compile(r"^- (?P<text>.+) 0 1 2 3 4 5$")  # sections 3-7 (~854-892)
SCALE_POINT = re.compile(r"^- (?P<value>\d) = (?P<label>.+)$")  # ~817-822


def appendix_lines() -> list[str]:
    lines = list(seed_lines())
    start = lines.index(APPENDIX_HEADING)  # the heading itself; the contents-page entry ends in dots and a page
    end = next(n for n in range(start, len(lines)) if lines[n].startswith(FINDINGS_HEADING))
    return lines[start:end]


def parsed_tool() -> tuple[list[tuple[int, str]], list[tuple[str, list[str]]]]:
    """(scale, [(stem, items)]) as the seed prints them, bullets and score columns removed."""
    scale, sections = [], []
    stem = None
    for line in appendix_lines():
        if point := SCALE_POINT.match(line):
            scale.append((int(point["value"]), point["label"]))
        elif item := MARKDOWN_ITEM.match(line) or LIST_ITEM.match(line):
            if stem is not None:
                sections.append((stem, []))
                stem = None
            sections[-1][1].append(item["text"])
        elif line.endswith(":"):
            stem = line  # the respondents line ends with ":" too, but the scale, not an item, follows it
    return scale, sections


def test_seed_has_seven_sections_of_11_7_7_7_4_4_5_items():
    _, sections = parsed_tool()
    assert [len(items) for _, items in sections] == [11, 7, 7, 7, 4, 4, 5]


def test_section_stems_are_the_seeds():
    _, sections = parsed_tool()
    assert [section.title for section in SECTIONS] == [stem for stem, _ in sections]
    assert SECTIONS[6].title.count(". ") == 1  # stem 7 is two sentences


@pytest.mark.parametrize("number", range(1, 8))
def test_item_texts_are_the_seeds(number):
    _, sections = parsed_tool()
    section = SECTIONS[number - 1]
    assert section.number == number
    assert [item.text for item in section.items] == sections[number - 1][1]


def test_all_45_items_match_the_seed_in_order():
    _, sections = parsed_tool()
    assert [item.text for item in ITEMS_BY_KEY.values()] == [text for _, items in sections for text in items]
    assert len(ITEMS_BY_KEY) == 45


def test_items_start_lower_case_and_end_with_a_question_mark():
    for item in ITEMS_BY_KEY.values():
        assert item.text[0].islower() and item.text.endswith("?"), item


def test_apostrophe_in_section_5_is_straight_as_in_the_seed():
    assert ITEMS_BY_KEY["s5_04"].text == "take account of people's reactions?"


def test_scale_labels_are_the_seeds():
    scale, _ = parsed_tool()
    assert tuple(scale) == SCALE
    assert [value for value, _ in SCALE] == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize("text", [INTRODUCTION, CAVEAT, RESPONDENTS], ids=["introduction", "caveat", "respondents"])
def test_introductory_texts_are_whole_seed_paragraphs(text):
    assert text in appendix_lines()


def test_caveat_says_the_tool_is_not_validated():
    assert "has not been validated" in CAVEAT and "approximate barometer" in CAVEAT
    assert "The higher the score, the readier the setting is for improvement." in INTRODUCTION


def test_keys_are_unique_and_stable():
    section_keys = [section.key for section in SECTIONS]
    item_keys = [item.key for section in SECTIONS for item in section.items]
    assert len(set(section_keys)) == 7
    assert len(set(item_keys)) == 45
    assert section_keys == [
        "frontline_staff",
        "resourcing",
        "managers",
        "confidence",
        "messages",
        "learning",
        "context",
    ]
    assert item_keys[0] == "s1_01" and item_keys[10] == "s1_11" and item_keys[-1] == "s7_05"
    assert all(ITEMS_BY_KEY[key].key == key for key in item_keys)


def test_sections_and_items_are_immutable():
    assert isinstance(SECTIONS, tuple) and all(isinstance(section.items, tuple) for section in SECTIONS)
    with pytest.raises(AttributeError):
        SECTIONS[0].title = "Changed"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        ITEMS_BY_KEY["s1_01"].text = "Changed"  # type: ignore[misc]
    assert questionnaire.Item("s1_01", "x") == questionnaire.Item("s1_01", "x")
