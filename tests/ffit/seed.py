"""Reading seed 001 (the report whose Appendix 1 is the FFIT) for the FFIT tests, from the copy in tests/fixtures.

The fixtures hold two passages of seed 001 exactly as the seed prints them (tests/fixtures/README.md says which
lines): Table 4, whose findings row keeps a full stop the appendix copy lost, then Appendix 1 to the end of the
report, that is the tool and the findings table that underpinned it.
"""

from functools import cache
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PASSAGES = ("seed_001_table_4.txt", "seed_001_appendix_1.txt")


@cache
def seed_lines() -> tuple[str, ...]:
    # Never skip: these tests are the only check that the tool's wording is the seed's. A missing fixture is an
    # error (FileNotFoundError), not a skip.
    lines: list[str] = []
    for name in PASSAGES:
        lines += (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return tuple(lines)
