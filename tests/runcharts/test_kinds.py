"""Measures of every data type: proportions and rates with numerators and denominators, counts and rare events,
weekly or monthly, from the form through the grid, the upload and the CSV to the chart and its signal."""

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from hub import dashboard
from projects import services as project_services
from qiportal.models import Notification
from runcharts import kinds, selectors, services
from runcharts.analysis import Reading
from runcharts.jobs import remind_data_missing
from runcharts.models import DataPoint, Measure
from tests.factories import MeasureFactory

pytestmark = pytest.mark.django_db

# 24 months of falls risk assessments: about 60% for a year, then about 85%.
MONTHS = kinds.periods_between(kinds.MONTHLY, date(2024, 3, 1), date(2026, 2, 1))
DENOMINATORS = [40, 44, 38, 50, 41, 47, 39, 45, 52, 43, 46, 40, 42, 48, 44, 39, 51, 45, 43, 47, 40, 46, 44, 49]
RATES = [0.6] * 12 + [0.85] * 12


@pytest.fixture
def signed_in(client, qi_lead, today):
    client.force_login(qi_lead)
    return client


@pytest.fixture
def proportion(initiative, qi_lead):
    return services.create_measure(
        initiative=initiative,
        by=qi_lead,
        name="Falls risk assessment within 6 hours",
        definition="Patients admitted to Oak Ward with a falls risk assessment within 6 hours of arrival.",
        data_type="proportion",
        frequency="monthly",
        numerator="Patients assessed within 6 hours",
        denominator="Patients admitted",
        improvement="increase",
    )


def monthly_readings():
    return {
        month: Reading(numerator=round(n * rate), denominator=n)
        for month, n, rate in zip(MONTHS, DENOMINATORS, RATES, strict=True)
    }


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("falls-risk.csv", text.encode(), content_type="text/csv")


# --- The form -----------------------------------------------------------------------------------------------------


def test_a_proportion_measure_is_a_monthly_percentage_on_the_suggested_chart(signed_in, initiative):
    url = reverse("runcharts:measure_create_for", args=[initiative.pk])
    response = signed_in.post(
        url,
        {
            "name": "Falls risk assessment within 6 hours",
            "kind": "process",
            "data_type": "proportion",
            "frequency": "monthly",
            "definition": "Patients assessed for falls risk within 6 hours of admission.",
            "numerator": "Patients assessed within 6 hours",
            "denominator": "Patients admitted",
            "unit": "count",
            "improvement": "increase",
        },
        follow=True,
    )
    assertContains(response, "Now enter its monthly data.")
    measure = Measure.objects.get()
    assert (measure.data_type, measure.frequency, measure.multiplier, measure.unit, measure.chart) == (
        "proportion",
        "monthly",
        100,
        "percent",
        "auto",
    )
    assert measure.axis_label == "Percent"


def test_a_rate_is_shown_per_its_multiplier(initiative, qi_lead):
    measure = services.create_measure(
        initiative=initiative,
        by=qi_lead,
        name="Falls per 1,000 bed days",
        definition="Inpatient falls over occupied bed days.",
        data_type="rate",
        frequency="monthly",
        multiplier=1000,
        denominator="bed days",
    )
    assert (measure.multiplier, measure.unit, measure.axis_label) == (1000, "rate", "Rate per 1,000 bed days")


def test_rare_events_are_recorded_per_event_and_other_types_never_are(signed_in, initiative):
    url = reverse("runcharts:measure_create_for", args=[initiative.pk])
    fields = {
        "name": "Days between pressure ulcers",
        "kind": "outcome",
        "definition": "Days since the last new hospital-acquired pressure ulcer.",
        "unit": "days",
        "improvement": "increase",
    }
    signed_in.post(url, {**fields, "data_type": "opportunities_between", "frequency": "weekly"})
    assert Measure.objects.get().frequency == "event"
    response = signed_in.post(url, {**fields, "name": "Falls", "data_type": "count", "frequency": "event"})
    assertContains(response, "Choose weekly or monthly: only rare events are recorded each time")
    assert Measure.objects.count() == 1


def test_a_measure_with_data_keeps_the_shape_of_its_data(proportion, qi_lead):
    services.save_values(measure_id=proportion.pk, by=qi_lead, values={MONTHS[0]: Reading(numerator=3, denominator=9)})
    with pytest.raises(ValidationError, match="cannot change to this type"):
        services.update_measure(measure_id=proportion.pk, by=qi_lead, data_type="single")
    with pytest.raises(ValidationError, match="how often it is recorded cannot change"):
        services.update_measure(measure_id=proportion.pk, by=qi_lead, frequency="weekly")
    # A proportion may become a rate (both have a numerator and a denominator), keeping its data.
    services.update_measure(measure_id=proportion.pk, by=qi_lead, data_type="rate")
    assert DataPoint.objects.get().numerator == 3


# --- The grid -----------------------------------------------------------------------------------------------------


def test_the_monthly_grid_takes_numerators_and_denominators(signed_in, proportion):
    url = reverse("runcharts:data_entry", args=[proportion.pk])
    page = signed_in.get(url)
    assertContains(page, "<title>Enter monthly values")
    assertContains(page, "March 2026: numerator")
    assertContains(page, "February 2026: denominator")
    response = signed_in.post(
        url,
        {
            "month_2026-02-01_numerator": "12",
            "month_2026-02-01_denominator": "10",
            "month_2026-01-01_numerator": "7",
            "month_2025-12-01_numerator": "0",
            "month_2025-12-01_denominator": "0",
        },
    )
    assertContains(response, "Numerator 12 is larger than denominator 10 for February 2026")
    assertContains(response, "Enter the denominator for January 2026")
    assert not DataPoint.objects.exists()

    response = signed_in.post(
        url,
        {
            "month_2026-02-01_numerator": "9",
            "month_2026-02-01_denominator": "10",
            "month_2025-12-01_numerator": "0",
            "month_2025-12-01_denominator": "0",
        },
        follow=True,
    )
    assertContains(response, "Values saved: 2 added")
    saved = {p.week_start: (p.numerator, p.denominator, p.value) for p in DataPoint.objects.all()}
    assert saved == {date(2026, 2, 1): (9, 10, None), date(2025, 12, 1): (0, 0, None)}  # 0 of 0: a gap
    assertContains(response, "Gap: nothing to count")


@pytest.mark.parametrize(
    ("data_type", "reading", "message"),
    [
        ("proportion", Reading(numerator=3, denominator=0), "Numerator 3 has a denominator of 0 for March 2026"),
        ("proportion", Reading(numerator=-1, denominator=5), "Enter a numerator of 0 or more for March 2026"),
        ("proportion", Reading(numerator=2.5, denominator=5), "Enter the numerator as a whole number"),
        ("rate", Reading(numerator=30, denominator=12.5), None),  # more events than bed days is a rate, not an error
        ("count", Reading(value=-2), "Enter the count as a whole number, 0 or more, for March 2026"),
        ("count", Reading(value=1.5), "Enter the count as a whole number"),
    ],
)
def test_the_contracts_errors_are_messages_a_person_can_act_on(initiative, qi_lead, data_type, reading, message):
    measure = MeasureFactory(initiative=initiative, data_type=data_type, frequency="monthly")
    if message is None:
        services.check_reading(measure, date(2026, 3, 1), reading)
        return
    with pytest.raises(ValidationError) as error:
        services.check_reading(measure, date(2026, 3, 1), reading)
    assert message in error.value.messages[0]


def test_rare_event_rules(initiative):
    g = MeasureFactory(initiative=initiative, data_type="opportunities_between", frequency="event")
    t = MeasureFactory(initiative=initiative, data_type="time_between", frequency="event", unit="hours")
    services.check_reading(g, date(2026, 3, 2), Reading(value=0))  # an event the day after the last one
    with pytest.raises(ValidationError, match="the event on 2 March 2026"):
        services.check_reading(g, date(2026, 3, 2), Reading(value=-3))
    with pytest.raises(ValidationError, match="Enter a time greater than 0 for the event on 2 March 2026"):
        services.check_reading(t, date(2026, 3, 2), Reading(value=0))


def test_the_event_grid_adds_and_corrects_events(signed_in, initiative, qi_lead):
    measure = MeasureFactory(initiative=initiative, data_type="opportunities_between", frequency="event", unit="days")
    services.save_values(measure_id=measure.pk, by=qi_lead, values={date(2026, 1, 20): Reading(value=34)})
    url = reverse("runcharts:data_entry", args=[measure.pk])
    page = signed_in.get(url)
    assertContains(page, "<title>Enter events")
    assertContains(page, "Event on 20 January 2026: days or cases since the previous event")
    response = signed_in.post(
        url,
        {
            "event_2026-01-20": "35",
            "new_1_on": "2026-03-20",
            "new_1_value": "59",
            "new_2_on": "2026-01-20",
            "new_2_value": "4",
        },
    )
    assertContains(response, "The event on 20 March 2026 is in the future")
    assertContains(response, "There is already an event on 20 January 2026")
    response = signed_in.post(url, {"event_2026-01-20": "35", "new_1_on": "02/03/2026", "new_1_value": "41"})
    assert response.status_code == 302
    assert dict(DataPoint.objects.values_list("week_start", "value")) == {
        date(2026, 1, 20): 35.0,
        date(2026, 3, 2): 41.0,
    }


# --- The upload ---------------------------------------------------------------------------------------------------


def test_a_monthly_upload_with_one_bad_row_saves_nothing_and_says_which(signed_in, proportion):
    text = "month_start,numerator,denominator\n2026-01,30,41\nMarch 2026,12,10\n2026-02-01,33,44\n"
    response = signed_in.post(reverse("runcharts:upload", args=[proportion.pk]), {"file": csv_file(text)})
    assertContains(response, "There is a problem")
    assertContains(response, "Row 3: Numerator 12 is larger than denominator 10 for March 2026")
    assert not DataPoint.objects.exists()

    good = "month_start,numerator,denominator\n2026-01,30,41\n01/02/2026,33,44\nDec 2025,0,0\n"
    response = signed_in.post(reverse("runcharts:upload", args=[proportion.pk]), {"file": csv_file(good)})
    preview = signed_in.get(response.url)
    assertContains(preview, "3 months will be added")
    assertContains(preview, "33 / 44")
    done = signed_in.post(response.url, {"confirm": ""}, follow=True)
    assertContains(done, "Upload saved: 3 months added, 0 replaced.")
    assert DataPoint.objects.get(week_start=date(2026, 2, 1)).numerator == 33


def test_a_monthly_upload_names_its_columns(signed_in, proportion):
    text = "week_start,value\n2026-01-05,30\n"
    response = signed_in.post(reverse("runcharts:upload", args=[proportion.pk]), {"file": csv_file(text)})
    assertContains(response, "The first row must name the three columns: month_start, numerator and denominator")


def test_the_template_and_the_data_csv_carry_numerators_and_denominators(signed_in, proportion, qi_lead):
    template = signed_in.get(reverse("runcharts:upload_template", args=[proportion.pk, "csv"]))
    lines = template.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "month_start,numerator,denominator"
    assert lines[-1] == "2026-02-01,,"  # the last complete month, empty for the team to fill in
    services.save_values(measure_id=proportion.pk, by=qi_lead, values=monthly_readings())
    response = signed_in.get(reverse("runcharts:data_csv", args=[proportion.pk]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 24
    first = rows[0]
    assert (first["month_start"], first["numerator"], first["denominator"]) == ("2024-03-01", "24.0", "40.0")
    assert float(first["value"]) == pytest.approx(60.0)  # a percentage
    assert float(first["upper_limit"]) > float(first["centre"]) > float(first["lower_limit"])
    assert "numerator" not in csv.DictReader(io.StringIO("week_start,value,mean\n")).fieldnames


# --- Chart, signal and the pages that show it ---------------------------------------------------------------------


def test_a_p_chart_is_suggested_and_its_signals_described_in_words(signed_in, proportion, qi_lead):
    services.save_values(measure_id=proportion.pk, by=qi_lead, values=monthly_readings())
    proportion.refresh_from_db()
    analysis = selectors.measure_analysis(proportion)
    assert analysis.chart == "p"
    uppers = {round(row.upper_limit, 6) for row in analysis.rows}
    assert len(uppers) > 1  # limits vary with each month's denominator: drawn as steps
    assert proportion.latest_signal == "improvement"
    page = signed_in.get(proportion.get_absolute_url())
    assertContains(page, "P chart of Falls risk assessment within 6 hours, 24 months.")
    assertContains(page, "Special cause improvement: run of 12 months above the centre line since March 2025.")
    assertContains(page, "Control-chart rules (docs/spc-control-charts.md: qicharts2 0.8.1)")
    assertContains(page, "the P chart&#x27;s limits vary with each denominator")
    assertContains(page, "Latest signal: </span>Improvement")


def test_p_prime_is_suggested_for_large_over_dispersed_denominators(proportion, qi_lead):
    readings = {
        month: Reading(numerator=round(n * 100 * (0.7 + (0.06 if k % 2 else -0.06))), denominator=n * 100)
        for k, (month, n) in enumerate(zip(MONTHS, DENOMINATORS, strict=True))
    }
    services.save_values(measure_id=proportion.pk, by=qi_lead, values=readings)
    analysis = selectors.measure_analysis(proportion)
    assert analysis.suggestion.chart == "pp"
    assert "sigma z is" in analysis.suggestion.reason
    assert analysis.chart == "pp"


def test_a_run_chart_until_there_are_enough_points_for_limits(proportion, qi_lead):
    few = dict(list(monthly_readings().items())[:8])
    services.save_values(measure_id=proportion.pk, by=qi_lead, values=few)
    analysis = selectors.measure_analysis(proportion)
    assert analysis.chart == "anhoej"
    assert analysis.suggestion.reason.startswith("There are 8 months of data so far: control limits need about 20.")


def test_a_dollar_sign_in_a_name_is_drawn_literally(signed_in, proportion, qi_lead):
    proportion.name = "Cost of $x^{2$ falls"
    proportion.save()
    services.save_values(measure_id=proportion.pk, by=qi_lead, values=monthly_readings())
    for fmt in ("svg", "png"):
        response = signed_in.get(reverse("runcharts:chart", args=[proportion.pk, fmt]))
        assert response.status_code == 200
    svg = signed_in.get(reverse("runcharts:chart", args=[proportion.pk, "svg"])).content.decode()
    assert "Cost of $x^{2$ falls" in svg


def test_the_dashboard_counts_a_concern_on_a_proportion_through_the_column(proportion, qi_lead, ward):
    proportion.improvement = "decrease"
    proportion.ward = ward
    proportion.save()
    proportion.initiative.status = "live"
    proportion.initiative.save()
    services.save_values(measure_id=proportion.pk, by=qi_lead, values=monthly_readings())
    rows = dashboard.ward_rows([ward])
    assert rows[0].concern_count == 1


# --- Reminders ----------------------------------------------------------------------------------------------------


def test_a_monthly_measure_is_reminded_once_for_last_month(proportion, qi_lead, today):
    proportion.initiative.status = "live"
    proportion.initiative.save()
    MeasureFactory(initiative=proportion.initiative, data_type="opportunities_between", frequency="event")
    assert list(selectors.measures_missing_data(today)) == [proportion]  # rare events are never "missing"
    remind_data_missing(today=today)
    remind_data_missing(today=date(2026, 3, 18))  # a week later, the same missing month
    note = Notification.objects.get(recipient=qi_lead)
    assert note.title == "Add last month's value for ‘Falls risk assessment within 6 hours’"
    assert "has no value for February 2026" in note.body
    services.save_values(
        measure_id=proportion.pk, by=qi_lead, values={date(2026, 2, 1): Reading(numerator=3, denominator=4)}
    )
    assert not selectors.measures_missing_data(today).exists()


def test_no_special_cases_for_a_single_value_measure(signed_in, measure):
    page = signed_in.get(reverse("runcharts:upload", args=[measure.pk]))
    assertContains(page, "<code>week_start</code>")
    assertNotContains(page, "<code>numerator</code>")


def test_the_initiative_ward_and_review_pages_and_the_score_suggestion_read_the_column(
    client, proportion, qi_lead, sponsor, ward
):
    initiative = proportion.initiative
    initiative.status, initiative.sponsor = "live", sponsor
    initiative.save()
    initiative.wards.add(ward)
    services.save_values(measure_id=proportion.pk, by=qi_lead, values=monthly_readings())
    proportion.refresh_from_db()
    assert proportion.latest_signal == "improvement"
    DataPoint.objects.filter(measure=proportion).delete()  # behind the services' back: pages still read the column
    client.force_login(qi_lead)
    for url in (initiative.get_absolute_url(), ward.get_absolute_url()):
        assertContains(client.get(url), "Latest signal: </span>Improvement")
    client.force_login(sponsor)
    assertContains(client.get(reverse("review_detail", args=[initiative.pk])), "Latest signal: </span>Improvement")
    suggestion = project_services.suggest_progress_score(initiative, cycles=[], measures=[proportion])
    assert "An outcome measure shows special-cause improvement." in suggestion.reasons
