"""Signals read from the column the services keep, analysed afresh in a flat number of queries, and "data missing"
for the reminder jobs."""

from datetime import date

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from runcharts import selectors, services
from runcharts.analysis import Reading
from runcharts.models import DataPoint, Measure
from tests.factories import DataPointFactory, InitiativeFactory, MeasureFactory
from tests.runcharts.conftest import mondays

pytestmark = pytest.mark.django_db

STEADY = [50, 52, 48, 51, 49, 50, 53, 47, 50, 51, 49, 50]
UP = [*STEADY, 54, 53, 54, 53, 54, 53, 54, 53, 54]


def with_values(measure, values, *, store=True):
    DataPoint.objects.bulk_create(
        DataPoint(measure=measure, week_start=week, value=v)
        for week, v in zip(mondays(date(2025, 6, 2), len(values)), values, strict=True)
    )
    if store:  # written in bulk, past the services: store the signal they would
        services.store_latest_signals([measure])
    return measure


def test_latest_signals_words_each_case():
    initiative = InitiativeFactory()
    improving = with_values(MeasureFactory(initiative=initiative, chart="xmr", baseline_points=12), UP)
    worsening = with_values(
        MeasureFactory(initiative=initiative, chart="xmr", baseline_points=12, improvement="decrease"), UP
    )
    steady = with_values(MeasureFactory(initiative=initiative, chart="anhoej"), STEADY)
    short = with_values(MeasureFactory(initiative=initiative), STEADY[:4])
    signals = selectors.latest_signals(selectors.measures_for_initiative(initiative))
    assert signals == {
        improving.pk: "improvement",
        worsening.pk: "concern",
        steady.pk: "common_cause",
        short.pk: "not_enough_data",
    }


def test_latest_signals_read_the_column_with_no_query_and_no_analysis():
    measures = [with_values(MeasureFactory(chart="xmr", baseline_points=12), UP) for _ in range(3)]
    measures = list(Measure.objects.filter(pk__in=[m.pk for m in measures]))
    DataPoint.objects.all().delete()  # behind the services' back: the column still says what they stored
    with CaptureQueriesContext(connection) as queries:
        signals = selectors.latest_signals(measures)
    assert len(queries) == 0
    assert set(signals.values()) == {"improvement"}


def test_fresh_signals_queries_stay_flat():
    counts = []
    for batch in (2, 20):
        Measure.objects.all().delete()
        for _ in range(batch):
            with_values(MeasureFactory(), UP, store=False)
        measures = list(Measure.objects.all())
        with CaptureQueriesContext(connection) as queries:
            selectors.fresh_signals(measures)
        counts.append(len(queries))
    assert counts[0] == counts[1] == 2  # all points in one query, all re-phasing weeks in another


def test_saving_values_stores_the_new_signal(qi_lead):
    measure = with_values(MeasureFactory(owner=qi_lead, chart="xmr", baseline_points=12), STEADY)
    assert Measure.objects.get(pk=measure.pk).latest_signal == "common_cause"
    later = {week: Reading(value=54.0) for week in mondays(date(2025, 8, 25), 9)}
    services.save_values(measure_id=measure.pk, by=qi_lead, values=later)
    measure.refresh_from_db()
    assert measure.latest_signal == "improvement"
    assert selectors.latest_signals([measure]) == {measure.pk: "improvement"}


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
