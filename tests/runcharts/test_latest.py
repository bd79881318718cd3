"""The latest analysis the services store on a measure agrees with runcharts.spc, for every improvement direction
and every kind of target, and is written with the data in one transaction."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from runcharts import services, spc
from runcharts.analysis import Reading
from runcharts.latest import ASSURANCES, VARIATIONS, rule_in_words
from runcharts.models import Measure
from runcharts.selectors import measure_analysis
from tests.factories import MeasureFactory

pytestmark = pytest.mark.django_db

FIRST = date(2025, 9, 1)  # a Monday
SERIES = {
    # 20 weeks each: a rise at the end (a shift above the mean), a fall, steady noise, and a late spike.
    "rising": [10, 11, 9, 10, 12, 10, 11, 9, 10, 11, 10, 9, 14, 15, 14, 16, 15, 14, 15, 16],
    "falling": [20, 21, 19, 20, 22, 20, 21, 19, 20, 21, 20, 19, 15, 14, 15, 13, 14, 15, 14, 13],
    "steady": [10, 12, 9, 11, 10, 13, 9, 11, 12, 10, 11, 9, 12, 10, 11, 13, 10, 12, 11, 10],
    "spike": [10, 12, 9, 11, 10, 13, 9, 11, 12, 10, 11, 9, 12, 10, 11, 13, 10, 12, 11, 30],
}
TARGETS = {"none": None, "above": 40.0, "below": 1.0, "inside": 11.0}


def weeks(n: int) -> list[date]:
    return [FIRST + timedelta(weeks=k) for k in range(n)]


@pytest.mark.parametrize("improvement", ["increase", "decrease", "neutral"])
@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("series", list(SERIES))
def test_the_stored_icons_and_words_agree_with_spc(qi_lead, improvement, target, series):
    values = SERIES[series]
    measure = MeasureFactory(unit="count", chart="xmr", improvement=improvement, target=TARGETS[target])
    services.save_values(
        measure_id=measure.pk,
        by=qi_lead,
        values={week: Reading(value=v) for week, v in zip(weeks(len(values)), values, strict=True)},
    )
    measure.refresh_from_db()
    expected = spc.xmr(values, improvement=improvement, target=TARGETS[target])
    assert measure.latest_variation == expected.variation
    assert measure.latest_assurance == (expected.assurance or "")
    assert measure.latest_variation in VARIATIONS and measure.latest_assurance in ASSURANCES
    analysis = measure_analysis(measure)
    assert measure.latest_rule == rule_in_words(analysis)
    assert measure.latest_rule and measure.latest_rule[0].isupper()
    assert measure.latest_period == weeks(20)[-1] and measure.latest_value == values[-1]
    assert [value for _, value in measure.latest_values] == values[-3:]
    assert measure.sparkline == values


def test_a_shift_is_worded_with_its_length_and_start(qi_lead):
    values = [10, 11, 9, 10, 12, 10, 11, 9, 10, 11, 10, 9, 12, 11, 12, 11, 12, 11, 12, 11]
    measure = MeasureFactory(unit="count", chart="xmr", improvement="decrease")
    services.save_values(
        measure_id=measure.pk, by=qi_lead, values={w: Reading(value=v) for w, v in zip(weeks(20), values, strict=True)}
    )
    measure.refresh_from_db()
    assert measure.latest_variation == "concern_high"
    assert measure.latest_rule == "8 weeks above the mean since 24 November 2025"


def test_too_few_points_show_no_icon_but_say_why(qi_lead):
    measure = MeasureFactory(unit="count", chart="xmr", target=5.0)
    services.save_values(measure_id=measure.pk, by=qi_lead, values={w: Reading(value=3) for w in weeks(4)})
    measure.refresh_from_db()
    assert (measure.latest_variation, measure.latest_assurance) == ("", "")
    assert measure.latest_rule.startswith("Not enough data: 4 weeks entered")


def test_a_refused_save_leaves_the_stored_analysis_alone(qi_lead):
    measure = MeasureFactory(unit="count", chart="xmr")
    services.save_values(measure_id=measure.pk, by=qi_lead, values={w: Reading(value=3) for w in weeks(12)})
    before = Measure.objects.get(pk=measure.pk).sparkline
    with pytest.raises(ValidationError):
        services.save_values(
            measure_id=measure.pk, by=qi_lead, values={weeks(13)[-1]: Reading(value=4), weeks(14)[-1]: Reading(-1)}
        )
    assert Measure.objects.get(pk=measure.pk).sparkline == before


def test_a_control_chart_judges_assurance_against_its_last_limits(qi_lead):
    measure = MeasureFactory(data_type="proportion", multiplier=100, chart="p", improvement="increase", target=99.0)
    services.save_values(
        measure_id=measure.pk,
        by=qi_lead,
        values={w: Reading(numerator=40 + k % 5, denominator=100) for k, w in enumerate(weeks(20))},
    )
    measure.refresh_from_db()
    assert measure.latest_assurance == "fail"  # 99% is far above the upper limit: it will not be met
    assert measure.latest_variation == "common_cause"
    assert measure.latest_value == pytest.approx(44.0)


@pytest.mark.django_db(transaction=True)
def test_the_migration_stores_the_latest_analysis_of_existing_measures(migrator):
    from tests.factories import InitiativeFactory

    def migrate(target):
        return migrator(("runcharts", target))

    apps = migrate("0008_latest_analysis")
    initiative = InitiativeFactory()
    old = apps.get_model("runcharts", "Measure").objects.create(
        initiative_id=initiative.pk, name="Falls", definition="Falls a week.", chart="xmr", unit="count"
    )
    values = SERIES["spike"]
    apps.get_model("runcharts", "DataPoint").objects.bulk_create(
        apps.get_model("runcharts", "DataPoint")(measure=old, week_start=w, value=v)
        for w, v in zip(weeks(20), values, strict=True)
    )
    migrate("0009_backfill_latest_analysis")
    measure = Measure.objects.get(pk=old.pk)
    assert measure.latest_variation == spc.xmr(values).variation == "improvement_high"
    assert measure.latest_signal == "improvement"
    assert measure.latest_values[-1] == [weeks(20)[-1].isoformat(), 30]
