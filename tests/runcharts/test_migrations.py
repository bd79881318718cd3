"""Measures made before data types become single-value weekly measures (0003), and going back undoes it."""

import pytest

from tests.factories import InitiativeFactory
from tests.migrations import migrate_to

BEFORE = [("runcharts", "0003_add_measure_kinds")]
AFTER = [("runcharts", "0004_existing_measures_single_weekly")]


def migrate(targets):
    return migrate_to(*targets)


@pytest.fixture
def at_0002(migrator):
    return migrator(*BEFORE)


def old_measure(apps, name="Discharges before noon"):
    """A measure as the schema before data types stored it (only runcharts is rolled back; projects is current)."""
    initiative = InitiativeFactory(title="Nurse-led discharge")
    Measure = apps.get_model("runcharts", "Measure")
    measure = Measure.objects.create(initiative_id=initiative.pk, name=name, definition="Before noon.", chart="xmr")
    apps.get_model("runcharts", "DataPoint").objects.create(measure=measure, week_start="2026-03-02", value=41.0)
    apps.get_model("runcharts", "HistoricalMeasure").objects.create(
        id=measure.pk,
        initiative_id=initiative.pk,
        name=name,
        definition="Before noon.",
        chart="xmr",
        history_date="2026-03-02T09:00Z",
        history_type="+",
        multiplier=1,
        kind="outcome",
        unit="count",
        improvement="increase",
        created_at="2026-03-02T09:00Z",
    )
    return measure


def test_existing_measures_become_single_value_weekly_and_keep_their_data(at_0002):
    measure = old_measure(at_0002)
    assert (measure.data_type, measure.frequency) == (None, None)

    apps = migrate(AFTER)
    Measure = apps.get_model("runcharts", "Measure")
    migrated = Measure.objects.get(pk=measure.pk)
    assert (migrated.data_type, migrated.frequency, migrated.multiplier, migrated.chart) == (
        "single",
        "weekly",
        1,
        "xmr",  # the chart the team chose is kept: the measure keeps working unchanged
    )
    assert list(apps.get_model("runcharts", "DataPoint").objects.values_list("value", flat=True)) == [41.0]
    history = apps.get_model("runcharts", "HistoricalMeasure").objects.get(id=measure.pk)
    assert (history.data_type, history.frequency) == ("single", "weekly")


def test_going_back_clears_the_columns_again(at_0002):
    measure = old_measure(at_0002)
    migrate(AFTER)
    apps = migrate(BEFORE)
    Measure = apps.get_model("runcharts", "Measure")
    assert (Measure.objects.get(pk=measure.pk).data_type, Measure.objects.get(pk=measure.pk).frequency) == (
        None,
        None,
    )


def test_going_back_is_refused_while_a_measure_records_another_data_type(at_0002):
    old_measure(at_0002)
    apps = migrate(AFTER)
    Measure = apps.get_model("runcharts", "Measure")
    Measure.objects.update(data_type="proportion", frequency="monthly")
    with pytest.raises(RuntimeError, match="1 measures record something other than one value a week"):
        migrate(BEFORE)
    Measure.objects.update(data_type="single", frequency="weekly")
