"""Finding and reading seed 001 (the report whose Appendix 1 is the FFIT) for the FFIT tests."""

from functools import cache
from pathlib import Path

import pytest

# The shared/ folder sits beside the repository, not inside it.
SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


@cache
def seed_lines() -> tuple[str, ...]:
    # Call this inside a test, not a fixture, so a missing seed fails the test (a fixture would make it an error).
    # Never skip: these tests are the only check that the tool's wording is the seed's.
    matches = sorted(SEEDS.glob("001_*.txt"))
    if len(matches) != 1:
        pytest.fail(
            f"Expected exactly one seed file 001_*.txt in {SEEDS} (the shared/ folder beside the repository), "
            f"found {[path.name for path in matches]}."
        )
    return tuple(matches[0].read_text(encoding="utf-8").splitlines())
