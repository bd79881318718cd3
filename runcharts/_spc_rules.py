"""Private to ``runcharts.spc``: argument checks, and the SPC rules worked on plain lists of floats and indices.

Pure Python, no Django. The checks raise ``ValueError`` naming the argument and the bad value. The rules return
sorted lists of distinct positions; ``runcharts.spc`` turns them into results.

>>> flags = xmr_flags([1, 2, 3, 4, 5, 6, 7, 7], centre=4.0, lower=0.0, upper=8.0, close_lower=1.5, close_upper=6.5)
>>> flags["trend"], flags["two_in_three"]  # 6 rising steps, then a tie; both 7s are beyond the upper 2-sigma line
([0, 1, 2, 3, 4, 5, 6], [6, 7])
>>> crossings_min(10), crossings_min(100)  # fewest crossings expected by chance, Anhøj rules
(2, 41)
>>> RUNS_TABLE[20]  # fewest and most runs expected by chance for 20 useful points, IHI rules
(6, 16)
"""

import math
import numbers
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, make_dataclass
from decimal import Decimal
from functools import cache
from itertools import compress, count, pairwise
from typing import Any

XMR_RULE_POINTS = 7  # points in an XmR trend or shift; the 6-point option of some tools is not offered
IHI_TREND_POINTS = 5

# Perla, Provost & Murray (2011) Table 1 (from Swed & Eisenhart 1943), keyed by useful points: (fewest, most) runs.
# Used verbatim on purpose: an exact recomputation differs at 14 of the 31 sizes (spc-rules.md, section 4).
RUNS_TABLE: dict[int, tuple[int, int]] = {
    10: (3, 9),
    11: (3, 10),
    12: (3, 11),
    13: (4, 11),
    14: (4, 12),
    15: (5, 12),
    16: (5, 13),
    17: (5, 13),
    18: (6, 14),
    19: (6, 15),
    20: (6, 16),
    21: (7, 16),
    22: (7, 17),
    23: (7, 17),
    24: (8, 18),
    25: (8, 18),
    26: (9, 19),
    27: (9, 20),
    28: (10, 20),
    29: (10, 21),
    30: (11, 22),
    31: (11, 22),
    32: (11, 23),
    33: (11, 24),
    34: (12, 24),
    35: (12, 25),
    36: (13, 25),
    37: (13, 26),
    38: (14, 26),
    39: (14, 27),
    40: (15, 27),
}

# When a runs analysis has too few useful observations to be read as a signal. The rules document counts only
# useful points: those off the median (or centre line), since points on it neither break nor extend a run (§3.4).
# Its runs test applies from 10 useful points, the smallest size in its table (§4.5); and Anhøj's limits assume the
# median splits the data into halves, which fails when most points sit on it (a median of 0 from a few excellence
# reports a week leaves every useful week above it, so the median is never crossed, whatever happens). So a part
# with fewer than MIN_USEFUL useful points, or with fewer useful points than points on the median, is reported as
# "too few useful observations" rather than as a signal. The rules' own results stay as the document and its
# reference packages compute them.
MIN_USEFUL = min(RUNS_TABLE)


def too_few_useful(n_useful: int, n_included: int) -> bool:
    """Whether a runs analysis of `n_included` points, `n_useful` of them off the median, is too thin to read.

    >>> too_few_useful(9, 12), too_few_useful(10, 12), too_few_useful(14, 52), too_few_useful(26, 52)
    (True, False, True, False)
    """
    return n_useful < MIN_USEFUL or 2 * n_useful < n_included


def finite_number(name: str, value: object) -> float:
    """``value`` as a float, if it is a finite real number. A bool is refused: it is almost always a mistake."""
    number = value
    if type(number) is not float:
        if isinstance(value, bool) or not isinstance(value, numbers.Real | Decimal):
            raise ValueError(f"{name} must be a finite number, not {value!r}")
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    return number


def finite_values(values: Iterable[float]) -> list[float]:
    """The values as a new, non-empty list of floats. None, NaN, inf or anything not a number raises."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValueError(f"values must be a sequence of numbers, not {values!r}")
    floats = list(values)
    if not floats:
        raise ValueError("values must not be empty")
    isfinite = math.isfinite
    for k, value in enumerate(floats):
        kind = type(value)
        if kind is float and isfinite(value):
            continue
        if kind is int:  # counts are the commonest measure: convert them without the general checks
            try:
                floats[k] = float(value)
                continue
            except OverflowError:
                pass
        floats[k] = finite_number(f"values[{k}]", value)
    return floats


def whole_number(name: str, value: object, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return operator.index(value)


def indices(name: str, values: Iterable[int], n: int) -> list[int]:
    """The indices as plain ints, in the order given; each must be a position in a series of ``n`` values."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValueError(f"{name} must be a sequence of indices, not {values!r}")
    checked = []
    for index in values:
        if isinstance(index, bool) or not isinstance(index, numbers.Integral) or not 0 <= index < n:
            raise ValueError(f"{name} must hold indices from 0 to {n - 1}, not {index!r}")
        checked.append(operator.index(index))
    return checked


def mean(values: list[float]) -> float:
    """The arithmetic mean, correctly rounded (as close as R's long-double mean); NaN for no values."""
    if not values:
        return math.nan
    try:
        return math.fsum(values) / len(values)
    except OverflowError:  # finite values whose sum is beyond the float range
        return math.fsum(value / len(values) for value in values)


def mutable_twin(frozen_class: type) -> type:
    """A plain slotted dataclass with the same fields as ``frozen_class``, to draft its instances quickly.

    A frozen dataclass sets each field through object.__setattr__, which made building 10,000 chart points take
    twice as long as the rest of the analysis. Points are drafted as a mutable twin with the same slots, then
    relabelled by ``frozen``: CPython allows that between classes with identical slot layouts, and nothing else
    holds a draft.
    """
    return make_dataclass(
        f"_Draft{frozen_class.__name__}", [(f.name, f.type) for f in fields(frozen_class)], slots=True
    )


def frozen(drafts: list[Any], frozen_class: type) -> list[Any]:
    """The drafts, relabelled in place as instances of the frozen class they were drafted for."""
    for draft in drafts:
        draft.__class__ = frozen_class
    return drafts


def median(sample: list[float]) -> float:
    """The ordinary median (the mean of the two middle values for an even count); NaN for no values."""
    if not sample:
        return math.nan
    ordered = sorted(sample)
    half = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[half]
    low, high = ordered[half - 1], ordered[half]
    middle = (low + high) / 2
    return middle if math.isfinite(middle) else low / 2 + high / 2  # low + high overflowed


def xmr_flags(
    segment: Sequence[float], *, centre: float, lower: float, upper: float, close_lower: float, close_upper: float
) -> dict[str, list[int]]:
    """Positions in one XmR period flagged by each rule on its own, before precedence."""
    # Exact comparisons throughout. NaN lines compare false, so with an undefined spread nothing is outside or close.
    sides = [(value > centre) - (value < centre) for value in segment]  # 0 is on the mean: on neither side
    outside = [k for k, value in enumerate(segment) if value > upper or value < lower]
    close = [
        k
        for k, value in enumerate(segment)
        if (value > close_upper or value < close_lower) and not (value > upper or value < lower)
    ]

    # Two in three: a close point is flagged when one of the (up to) three windows of 3 holding it has all three
    # points strictly on one side and at least 2 close points. Only close points are ever flagged.
    is_close = set(close)
    two_in_three = []
    for k in close:
        for first in range(max(k - 2, 0), min(k, len(segment) - 3) + 1):
            window = range(first, first + 3)
            if sides[first] == sides[first + 1] == sides[first + 2] != 0 and len(is_close.intersection(window)) >= 2:
                two_in_three.append(k)
                break

    # Trend: 6 strictly rising (or falling) steps in a row cover 7 points; a tie (a zero step) breaks it.
    steps = [(b > a) - (b < a) for a, b in pairwise(segment)]
    trend: list[int] = []
    for first, stop in _runs_of_at_least(steps, XMR_RULE_POINTS - 1):
        # Steps first..stop-1 join points first..stop. A trend right after another shares its turning point.
        trend += range(max(first, trend[-1] + 1) if trend else first, stop + 1)

    shift = [k for first, stop in _runs_of_at_least(sides, XMR_RULE_POINTS) for k in range(first, stop)]
    return {"outside_limits": outside, "two_in_three": two_in_three, "trend": trend, "shift": shift}


def useful_runs(xs: list[float], included: list[int], centre: float) -> list[list[int]]:
    """The runs of a run chart: maximal groups of consecutive useful points on the same side of the median.

    Points exactly on the median are skipped, so they neither break nor extend a run. A NaN median (every point it
    would be taken from is excluded) has no point on either side of it, so there are no useful points.
    """
    useful = [i for i in included if xs[i] > centre or xs[i] < centre]
    if not useful:
        return []
    bounds = _run_bounds([xs[i] > centre for i in useful])
    return [useful[first:stop] for first, stop in pairwise(bounds)]


def longest_run_max(n_useful: int) -> int:
    """Anhøj's limit for the longest run (Schilling 2012): a longer run is a signal."""
    return round(math.log2(n_useful)) + 3  # log2 of an integer is never x.5, so Python and R round alike


@cache
def crossings_min(n_useful: int) -> int:
    """Anhøj's limit for crossings (Chen 2010): the lower 5 % quantile of Binomial(n_useful − 1, ½), exactly.

    That is the smallest c with P(X ≤ c) ≥ 0.05, or 20 × Σ_{i≤c} C(m, i) ≥ 2^m for m = n_useful − 1. Exact
    fractions take seconds at 10,000 points; integer coefficients built one from the next take milliseconds, and
    the answer is cached per n_useful.
    """
    if n_useful < 1:
        raise ValueError(f"n_useful must be at least 1, not {n_useful!r}")
    m = n_useful - 1
    # For an integer sum S, 20 × S ≥ 2^m exactly when S ≥ ceil(2^m / 20), which keeps the loop to one comparison.
    needed = -(-(1 << m) // 20)
    coefficient = total = 1  # C(m, 0)
    c = 0
    while total < needed:
        coefficient = coefficient * (m - c) // (c + 1)  # C(m, c + 1); exact, as C(m, c) × (m − c) divides by c + 1
        c += 1
        total += coefficient
    return c


@dataclass(frozen=True)
class AnhoejRuns:
    """The Anhøj runs analysis of one part against its centre line (spc-rules §3.4-3.10); None when no point is
    useful. `shift` holds the points of runs longer than allowed; `signal` is either rule firing (both strict)."""

    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    crossings: int | None
    crossings_min: int | None
    shift: list[int]
    signal: bool


def anhoej_runs(xs: list[float], included: list[int], centre: float) -> AnhoejRuns:
    runs = useful_runs(xs, included, centre)
    n_useful = sum(len(run) for run in runs)
    if n_useful == 0:
        return AnhoejRuns(0, None, None, None, None, [], False)
    longest_run = max(len(run) for run in runs)
    longest_allowed = longest_run_max(n_useful)
    crossings = len(runs) - 1
    fewest_crossings = crossings_min(n_useful)
    shift = [i for run in runs if len(run) > longest_allowed for i in run]
    signal = longest_run > longest_allowed or crossings < fewest_crossings
    return AnhoejRuns(n_useful, longest_run, longest_allowed, crossings, fewest_crossings, shift, signal)


def ihi_trend(xs: list[float], included: list[int]) -> list[int]:
    """Indices of IHI trends: 5 or more points going one way, where repeated values count once.

    A stretch of steps in one direction starts at the first point of the flat group it leaves and ends at the point
    its last step reaches, so ties inside it are listed and ties after it are not. The turning point between a rise
    and a fall belongs to both stretches.
    """
    values = [xs[i] for i in included]
    groups = _run_bounds(values)[:-1]  # where each flat group (a value repeated, or not) starts
    rising = [values[q] > values[p] for p, q in pairwise(groups)]  # step s goes from group s to s + 1
    trend: list[int] = []
    bounds = _run_bounds(rising)
    for first, stop in pairwise(bounds):
        # Steps first..stop-1 go from group ``first`` to group ``stop``: stop - first + 1 points.
        if stop - first + 1 >= IHI_TREND_POINTS:
            begin = groups[first] if not trend or trend[-1] < included[groups[first]] else groups[first] + 1
            trend += included[begin : groups[stop] + 1]
    return trend


def _runs_of_at_least(keys: list[int], minimum: int) -> list[tuple[int, int]]:
    """(first, stop) of each run of at least ``minimum`` equal, non-zero keys in a row."""
    bounds = _run_bounds(keys)
    return [(first, stop) for first, stop in pairwise(bounds) if stop - first >= minimum and keys[first]]


def _run_bounds(keys: Sequence[Any]) -> list[int]:
    """Where each run of equal keys starts, then ``len(keys)``: run r is ``keys[bounds[r]:bounds[r + 1]]``."""
    changes = compress(count(1), map(operator.ne, keys, keys[1:]))  # k where keys[k] differs from keys[k - 1]
    return [0, *changes, len(keys)]
