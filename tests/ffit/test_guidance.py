"""Guidance rows are the seed's SOFFT findings table (seed 001, after Appendix 1), mapped as the seeds README says."""

from ffit.guidance import FINDINGS, GROUP_OF, GUIDANCE
from ffit.questionnaire import SECTIONS
from tests.ffit.seed import seed_lines

FINDINGS_HEADING = "The findings that underpinned the FFIT:"


def findings_table() -> list[tuple[str, str]]:
    """(heading, text) rows of the table after the appendix; group headings have empty text."""
    lines = list(seed_lines())
    start = next(n for n, line in enumerate(lines) if line.startswith(FINDINGS_HEADING))
    rows = [tuple(part.strip() for part in line.split("\t", 1)) for line in lines[start + 1 :] if "\t" in line]
    assert rows[0] == ("SOFTTs", "Examples of what the SOFTTs achieved"), "the table's header row moved"
    return rows[1:]


def test_every_finding_is_a_row_of_the_seed_table_in_order():
    with_text = [(heading, text) for heading, text in findings_table() if text]
    assert [heading for heading, _ in with_text] == list(FINDINGS)
    for heading, text in with_text:
        if heading == "Getting through to the right people":
            # The appendix copy lost the full stop that Table 4 in the body has.
            assert FINDINGS[heading] == text + "."
            assert f"{heading}\t{FINDINGS[heading]}" in seed_lines()
        else:
            assert FINDINGS[heading] == text, heading


def test_group_headings_are_the_seed_rows_without_text():
    groups = [heading for heading, text in findings_table() if not text]
    assert groups == list(dict.fromkeys(GROUP_OF.values()))
    assert "Leading staff towards the achievement of improvement" not in GROUP_OF
    assert set(GROUP_OF) == set(FINDINGS) - {"Leading staff towards the achievement of improvement"}


def test_every_section_has_guidance_from_the_table():
    assert list(GUIDANCE) == [section.key for section in SECTIONS]
    for key, rows in GUIDANCE.items():
        assert rows, key
        for heading, text in rows:
            assert FINDINGS[heading] == text


def test_every_finding_is_used_by_some_section():
    used = {heading for rows in GUIDANCE.values() for heading, _ in rows}
    assert used == set(FINDINGS)


def test_sections_get_the_rows_the_readme_maps_to_them():
    headings = {key: [heading for heading, _ in rows] for key, rows in GUIDANCE.items()}
    assert len(headings["frontline_staff"]) == 7
    assert headings["resourcing"] == [
        "Securing the resources to do the job",
        "Leading staff towards the achievement of improvement",
    ]
    assert headings["messages"] == [
        "Getting through to the right people",
        "Framing the message correctly",
        "Communicating effectively",
    ]
    assert headings["context"][-1] == "Using experience to modify the intervention"
