"""Signals for many measures in a flat number of queries, and "data missing" for the reminder jobs."""

from datetime import date

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from runcharts import selectors, services
from runcharts.models import DataPoint, Measure
from tests.factories import DataPointFactory, InitiativeFactory, MeasureFactory
from tests.runcharts.conftest import mondays

pytestmark = pytest.mark.django_db

STEADY = [50, 52, 48, 51, 49, 50, 53, 47, 50, 51, 49, 50]
UP = [*STEADY, 54, 53, 54, 53, 54, 53, 54, 53, 54]


def with_values(measure, values):
    DataPoint.objects.bulk_create(
        DataPoint(measure=measure, week_start=week, value=v)
        for week, v in zip(mondays(date(2025, 6, 2), len(values)), values, strict=True)
    )
    return measure


def test_latest_signals_words_each_case():
    initiative = InitiativeFactory()
    improving = with_values(MeasureFactory(initiative=initiative, chart="xmr", baseline_points=12), UP)
    worsening = with_values(
        MeasureFactory(initiative=initiative, chart="xmr", baseline_points=12, improvement="decrease"), UP
    )
    steady = with_values(MeasureFactory(initiative=initiative), STEADY)
    short = with_values(MeasureFactory(initiative=initiative), STEADY[:4])
    signals = selectors.latest_signals(selectors.measures_for_initiative(initiative))
    assert signals == {
        improving.pk: "improvement",
        worsening.pk: "concern",
        steady.pk: "common_cause",
        short.pk: "not_enough_data",
    }


def test_latest_signals_queries_stay_flat():
    counts = []
    for batch in (2, 20):
        Measure.objects.all().delete()
        for _ in range(batch):
            with_values(MeasureFactory(), UP)
        measures = list(Measure.objects.all())
        with CaptureQueriesContext(connection) as queries:
            selectors.latest_signals(measures)
        counts.append(len(queries))
    assert counts[0] == counts[1] == 2  # all points in one query, all re-phasing weeks in another


def test_latest_signals_are_cached_per_data_version(qi_lead):
    measure = with_values(MeasureFactory(owner=qi_lead), STEADY)
    selectors.latest_signals([measure])
    with CaptureQueriesContext(connection) as queries:
        assert selectors.latest_signals([measure]) == {measure.pk: "common_cause"}
    assert len(queries) == 0
    services.save_week_values(measure_id=measure.pk, by=qi_lead, values={date(2025, 8, 25): 45.0})
    measure.refresh_from_db()
    assert measure.latest_signal == "common_cause"
    with CaptureQueriesContext(connection) as queries:
        selectors.latest_signals([measure])
    assert len(queries) == 2  # the new version is analysed afresh


def test_the_partial_lists_measures_with_their_signal_in_words():
    initiative = InitiativeFactory()
    measure = with_values(MeasureFactory(initiative=initiative, name="Falls per 1,000 bed days"), STEADY)
    measures = selectors.measures_for_initiative(initiative)
    html = render_to_string(
        "runcharts/_initiative_measures.html", {"measures": measures, "signals": selectors.latest_signals(measures)}
    )
    assert "Falls per 1,000 bed days" in html
    assert measure.get_absolute_url() in html
    assert "Latest signal: </span>Common cause" in html


def test_data_missing_when_the_last_complete_week_has_no_value():
    as_of = date(2026, 3, 11)  # a Wednesday; the last complete week started on Monday 2 March
    missing = MeasureFactory(name="missing")
    DataPointFactory(measure=missing, week_start=date(2026, 2, 23))
    DataPointFactory(measure=missing, week_start=date(2026, 3, 9))  # the current week does not count
    entered = MeasureFactory(name="entered")
    DataPointFactory(measure=entered, week_start=date(2026, 3, 2))
    MeasureFactory(name="ended", initiative=InitiativeFactory(status="completed"))
    with CaptureQueriesContext(connection) as queries:
        names = [m.name for m in selectors.measures_missing_data(as_of)]
    assert names == ["missing"]
    assert len(queries) == 1
