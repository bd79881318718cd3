"""Property tests for the control charts: agreement with a slow reference written from the contract, and invariants.

The reference follows qicharts2's own shape, as docs/spc-control-charts.md describes it: a gap is NaN with n = 0,
sums and means skip NaN (R's ``na.rm = TRUE``), moving ranges are ``diff()`` of the basis rows with NaN where a gap
touches, and non-finite limits become None. It shares nothing with the module but the document. Lines are compared
to a relative 1e-9; comparisons (sigma signals, sides of the centre) are checked only where no value sits within a
hair of a line, where the two summation orders might round differently.
"""

import math
from itertools import groupby, pairwise

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from runcharts.spc import attribute_chart, control_chart, rare_event_chart

examples = settings(max_examples=300, deadline=None, database=None)
NAN = math.nan

# --- Strategies -------------------------------------------------------------------------------------------------


@st.composite
def proportions(draw, max_size=30):
    rows = []
    for _ in range(draw(st.integers(1, max_size))):
        denominator = draw(st.one_of(st.none(), st.integers(0, 60), st.integers(500, 5000)))
        top = denominator if denominator is not None else 60
        numerator = draw(st.one_of(st.none(), st.integers(0, top)))
        if denominator == 0 and numerator:
            numerator = 0
        rows.append((numerator, denominator))
    return [n for n, _ in rows], [d for _, d in rows]


@st.composite
def rates(draw, max_size=30):
    rows = []
    for _ in range(draw(st.integers(1, max_size))):
        denominator = draw(st.one_of(st.none(), st.integers(0, 40), st.floats(0.5, 2000, allow_nan=False)))
        numerator = draw(st.one_of(st.none(), st.integers(0, 200)))
        if denominator == 0 and numerator:
            numerator = 0
        rows.append((numerator, denominator))
    return [n for n, _ in rows], [d for _, d in rows]


def gappy(elements, max_size=30):
    return st.lists(st.one_of(st.none(), elements, elements, elements), min_size=1, max_size=max_size)


counts = gappy(st.integers(0, 25))
individuals = gappy(st.one_of(st.integers(-6, 6), st.floats(-1e4, 1e4, allow_nan=False, allow_subnormal=False)))
opportunities = gappy(st.integers(0, 300))
times = gappy(st.one_of(st.integers(1, 90), st.floats(0.01, 500, allow_nan=False)))


@st.composite
def options(draw, n):
    baseline = draw(st.one_of(st.none(), st.integers(1, n + 2)))
    parts = draw(st.lists(st.integers(0, n - 1), max_size=3))
    exclude = draw(st.lists(st.integers(0, n - 1), max_size=3))
    return {"baseline": baseline, "parts": parts, "exclude": exclude, "screen_outliers": draw(st.booleans())}


# --- Reference ----------------------------------------------------------------------------------------------------


def r_mean(values):
    kept = [v for v in values if not math.isnan(v)]
    return sum(kept) / len(kept) if kept else NAN


def r_median(values):
    kept = sorted(v for v in values if not math.isnan(v))
    if not kept:
        return NAN
    half = len(kept) // 2
    return kept[half] if len(kept) % 2 else (kept[half - 1] + kept[half]) / 2


def r_amr(sequence, screen):
    ranges = [abs(b - a) for a, b in pairwise(sequence)]  # NaN where a gap touches
    amr = r_mean(ranges)
    if screen:
        amr = r_mean([r for r in ranges if not math.isnan(r) and r < 3.267 * amr])
    return amr


def binomial_quantile_05(m):
    total, c = 0, 0
    while True:
        total += math.comb(m, c)
        if 20 * total >= 2**m:
            return c
        c += 1


def r_runs(values, centre):
    sides = [(v > centre) - (v < centre) for v in values]
    sides = [s for s in sides if s != 0]
    if not sides:
        return None
    lengths = [len(list(group)) for _, group in groupby(sides)]
    n = len(sides)
    longest, limit, crossings = max(lengths), round(math.log2(n)) + 3, len(lengths) - 1
    return n, longest, limit, crossings, binomial_quantile_05(n - 1)


def reference(chart, numerators, denominators, baseline, parts, exclude, screen):
    n = len(numerators)
    y, size, total = [], [], []
    for k in range(n):
        top = numerators[k]
        bottom = denominators[k] if denominators is not None else 1
        if top is None or bottom is None or bottom == 0:
            y.append(NAN)
            size.append(0)
            total.append(NAN)
        else:
            y.append(top / bottom if denominators is not None else float(top))
            size.append(bottom)
            total.append(top)
    starts = sorted({0, *parts})
    freeze = math.inf if baseline is None or len(starts) > 1 else baseline
    out = []
    for start, stop in zip(starts, [*starts[1:], n], strict=True):
        rows = range(start, stop)
        base = [k for k in rows if k not in exclude and k < freeze]
        lcl, ucl, amr, sigma_z = {}, {}, None, None
        if chart in ("p", "pp", "u", "up"):
            top = sum(total[k] for k in base if not math.isnan(y[k]))
            bottom = sum(size[k] for k in base if not math.isnan(y[k]))
            cl = top / bottom if bottom else NAN

            def sd(k, cl=cl):
                if size[k] == 0 or math.isnan(cl):
                    return NAN
                return math.sqrt((cl * (1 - cl) if chart in ("p", "pp") else cl) / size[k])

            multiplier = 1.0
            if chart in ("pp", "up"):
                z = [(y[k] - cl) / sd(k) if sd(k) > 0 else NAN for k in base]
                amr = r_amr(z, screen)
                sigma_z = multiplier = amr / 1.128
            for k in rows:
                lcl[k], ucl[k] = cl - 3 * sd(k) * multiplier, cl + 3 * sd(k) * multiplier
                if chart in ("p", "pp") and ucl[k] > 1 and math.isfinite(ucl[k]):
                    ucl[k] = 1.0
        else:
            if chart == "t":
                w = [v ** (1 / 3.6) for v in y]
                cl_w = r_mean([w[k] for k in base])
                amr = r_amr([w[k] - cl_w for k in base], screen)
                cl = cl_w**3.6
                low = cl_w - 3 * amr / 1.128
                low_limit = 0.0 if low <= 0 else low**3.6
                high_limit = (cl_w + 3 * amr / 1.128) ** 3.6
            elif chart == "i":
                cl = r_mean([y[k] for k in base])
                amr = r_amr([y[k] - cl for k in base], screen)
                low_limit, high_limit = cl - 3 * amr / 1.128, cl + 3 * amr / 1.128
            elif chart == "c":
                cl = r_mean([y[k] for k in base])
                low_limit, high_limit = cl - 3 * math.sqrt(cl), cl + 3 * math.sqrt(cl)
            else:  # g
                m = r_mean([y[k] for k in base])
                low_limit, high_limit = m - 3 * math.sqrt(m * (m + 1)), m + 3 * math.sqrt(m * (m + 1))
                low_limit = 0.0 if low_limit < 0 else low_limit
                cl = r_median([y[k] for k in base])
            for k in rows:
                lcl[k], ucl[k] = low_limit, high_limit
        for k in rows:
            if lcl[k] < 0 and math.isfinite(lcl[k]) and chart != "i":
                lcl[k] = 0.0
            lcl[k] = lcl[k] if math.isfinite(lcl[k]) else None
            ucl[k] = ucl[k] if math.isfinite(ucl[k]) else None
        included = [y[k] for k in rows if k not in exclude and not math.isnan(y[k])]
        out.append(
            {
                "start": start,
                "cl": cl,
                "lcl": lcl,
                "ucl": ucl,
                "amr": amr,
                "sigma_z": sigma_z,
                "runs": r_runs(included, cl),
                "y": y,
            }
        )
    return out


# --- Checks -------------------------------------------------------------------------------------------------------


def close(a, b):
    if a is None or b is None:
        return a is b
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == pytest.approx(b, rel=1e-9, abs=1e-12)


def clear_of(value, lines, margin=1e-7):
    return all(line is None or math.isnan(line) or abs(value - line) > margin * max(1.0, abs(line)) for line in lines)


def check_against_reference(result, chart, numerators, denominators, opts):
    expected = reference(
        chart, numerators, denominators, opts["baseline"], opts["parts"], opts["exclude"], opts["screen_outliers"]
    )
    assert [part.start for part in result.parts] == [part["start"] for part in expected]
    for part, ref in zip(result.parts, expected, strict=True):
        assert close(part.centre, ref["cl"])
        assert close(part.mean_moving_range, ref["amr"])
        assert close(part.sigma_z, ref["sigma_z"])
        points = result.points[part.start : part.end + 1]
        for point in points:
            k = point.index
            value = ref["y"][k]
            assert (point.value is None) == math.isnan(value)
            if point.value is not None:
                assert close(point.value, value)
            assert close(point.lower_limit, ref["lcl"][k]), (k, point)
            assert close(point.upper_limit, ref["ucl"][k]), (k, point)
        judged = [p for p in points if p.value is not None]
        if all(clear_of(p.value, (p.lower_limit, p.upper_limit)) for p in judged):
            expected_signals = [
                p.index
                for p in judged
                if (ref["ucl"][p.index] is not None and ref["y"][p.index] > ref["ucl"][p.index])
                or (ref["lcl"][p.index] is not None and ref["y"][p.index] < ref["lcl"][p.index])
            ]
            assert part.sigma_signals == expected_signals
        if all(clear_of(p.value, (part.centre,)) or p.value == part.centre for p in judged):
            runs = ref["runs"]
            got = (part.n_useful, part.longest_run, part.longest_run_max, part.crossings, part.crossings_min)
            assert got == (runs if runs else (0, None, None, None, None))


def check_shape(result, n, opts):
    assert [point.index for point in result.points] == list(range(n))
    starts = sorted({0, *opts["parts"]})
    assert [(part.start, part.end + 1) for part in result.parts] == list(zip(starts, [*starts[1:], n], strict=True))
    for name in ("centre", "n_useful", "longest_run", "longest_run_max", "crossings", "crossings_min"):
        a, b = getattr(result, name), getattr(result.parts[-1], name)
        assert a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))
    for name in ("runs_signal", "shift", "sigma_signals", "signal"):
        assert getattr(result, name) == getattr(result.parts[-1], name)
    for part in result.parts:
        assert part.sigma_signals == sorted(set(part.sigma_signals))
        assert all(type(i) is int and part.start <= i <= part.end for i in part.sigma_signals + part.shift)
        assert part.signal == (part.runs_signal or bool(part.sigma_signals))
        beyond = [
            p.index
            for p in result.points[part.start : part.end + 1]
            if p.value is not None
            and (
                (p.upper_limit is not None and p.value > p.upper_limit)
                or (p.lower_limit is not None and p.value < p.lower_limit)
            )
        ]
        assert part.sigma_signals == beyond  # strictly beyond the limits the points show
        if part.n_useful == 0:
            assert (part.longest_run, part.runs_signal, part.shift) == (None, False, [])
    signalling = {i for part in result.parts for i in part.sigma_signals}
    for point in result.points:
        assert point.sigma_signal == (point.index in signalling)
        if point.value is None:
            assert point.sigma_signal is False


# --- Properties ---------------------------------------------------------------------------------------------------


@examples
@given(proportions(), st.sampled_from(["p", "pp"]), st.data())
def test_p_charts_match_the_reference(data, chart, draw):
    numerators, denominators = data
    opts = draw.draw(options(len(numerators)))
    result = attribute_chart(numerators, denominators, chart=chart, **opts)
    check_shape(result, len(numerators), opts)
    check_against_reference(result, chart, numerators, denominators, opts)
    for point in result.points:
        if point.upper_limit is not None:
            assert 0 <= point.lower_limit <= point.upper_limit <= 1


@examples
@given(rates(), st.sampled_from(["u", "up"]), st.data())
def test_u_charts_match_the_reference(data, chart, draw):
    numerators, denominators = data
    opts = draw.draw(options(len(numerators)))
    result = attribute_chart(numerators, denominators, chart=chart, **opts)
    check_shape(result, len(numerators), opts)
    check_against_reference(result, chart, numerators, denominators, opts)


@examples
@given(counts, st.data())
def test_c_charts_match_the_reference(values, draw):
    opts = draw.draw(options(len(values)))
    result = attribute_chart(values, chart="c", **opts)
    check_shape(result, len(values), opts)
    check_against_reference(result, "c", values, None, opts)


@examples
@given(individuals, st.data())
def test_i_charts_match_the_reference(values, draw):
    opts = draw.draw(options(len(values)))
    result = control_chart(values, **opts)
    check_shape(result, len(values), opts)
    check_against_reference(result, "i", values, None, opts)


@examples
@given(opportunities, st.data())
def test_g_charts_match_the_reference(values, draw):
    opts = draw.draw(options(len(values)))
    result = rare_event_chart(values, chart="g", **opts)
    check_shape(result, len(values), opts)
    check_against_reference(result, "g", values, None, opts)
    assert all(p.lower_limit in (0.0, None) for p in result.points)


@examples
@given(times, st.data())
def test_t_charts_match_the_reference(values, draw):
    opts = draw.draw(options(len(values)))
    result = rare_event_chart(values, chart="t", **opts)
    check_shape(result, len(values), opts)
    check_against_reference(result, "t", values, None, opts)


@examples
@given(proportions(), st.data())
def test_laney_limits_are_the_p_limits_widened_by_sigma_z(data, draw):
    numerators, denominators = data
    opts = draw.draw(options(len(numerators)))
    p = attribute_chart(numerators, denominators, chart="p", **opts)
    pp = attribute_chart(numerators, denominators, chart="pp", **opts)
    for part, laney in zip(p.parts, pp.parts, strict=True):
        assert close(part.centre, laney.centre)
        if laney.sigma_z is None or math.isnan(laney.sigma_z):
            continue
        for plain, wide in zip(p.points[part.start : part.end + 1], pp.points[part.start : part.end + 1], strict=True):
            uncapped = plain.upper_limit is not None and plain.upper_limit < 1 and wide.upper_limit is not None
            if uncapped and wide.upper_limit < 1:
                assert wide.upper_limit - laney.centre == pytest.approx(
                    (plain.upper_limit - part.centre) * laney.sigma_z, rel=1e-9, abs=1e-12
                )


@examples
@given(individuals, st.data())
def test_an_excluded_value_changes_no_line(values, draw):
    opts = draw.draw(options(len(values)))
    assume(opts["exclude"])
    changed = list(values)
    for k in opts["exclude"]:
        changed[k] = 12345.0 if changed[k] is None else changed[k] * 3 + 7
    before, after = control_chart(values, **opts), control_chart(changed, **opts)
    for a, b in zip(before.parts, after.parts, strict=True):
        assert close(a.centre, b.centre) and close(a.mean_moving_range, b.mean_moving_range)


@examples
@given(st.lists(st.integers(0, 50), min_size=1, max_size=30), st.integers(1, 5), st.data())
def test_a_baseline_at_or_past_the_end_is_no_baseline(values, extra, draw):
    assert rare_event_chart(values, chart="g", baseline=len(values) + extra) == rare_event_chart(values, chart="g")
    assert control_chart(values, baseline=len(values)) == control_chart(values)
