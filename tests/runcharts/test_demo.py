"""The demo measures: plausible data for each case study, every chart type and frequency, and a second run changes
nothing."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from runcharts import selectors
from runcharts.models import DataPoint, Measure

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_measures_with_the_promised_patterns():
    call_command("seed_demo", password="demo-pass-123")
    measures = {m.name: m for m in Measure.objects.filter(scope="initiative").select_related("initiative")}
    assert len(measures) == 14
    for measure in measures.values():
        assert 20 <= measure.points.count() <= 60
    charts = {selectors.measure_analysis(m).chart for m in measures.values()}
    assert charts == {"anhoej", "ihi", "xmr", "i", "p", "pp", "u", "up", "c", "g", "t"}
    assert {m.frequency for m in measures.values()} == {"weekly", "monthly", "event"}
    falls_risk = measures["Falls risk assessment within 6 hours of admission"]
    assert (falls_risk.ward.name, falls_risk.data_type, falls_risk.frequency) == ("Oak Ward", "proportion", "monthly")
    assert falls_risk.latest_signal == "improvement"
    assert measures["Falls per 1,000 bed days"].multiplier == 1000
    assert measures["Days between pressure ulcers"].ward.name == "Willow Ward"
    assert measures["Minutes from arrival to antibiotics"].chart_reason  # a person chose the I chart, and said why
    discharge = measures["Discharges before noon"]
    assert discharge.pdsa_cycles.exists()  # the shift follows PDSA 1, drawn as a marker
    assert selectors.measure_analysis(discharge).signal == "improvement"
    assert selectors.measure_analysis(measures["Lying and standing blood pressure recorded"]).signal == "improvement"
    enhanced = measures["Hours of one-to-one enhanced care"]
    assert (enhanced.chart, enhanced.target) == ("xmr", 220)
    assert selectors.measure_analysis(measures["At-risk patients discussed at the night meeting"]).signal == (
        "common_cause"
    )
    # Its last complete week is left empty, so the reminder jobs have something to remind about.
    assert measures["New hospital-acquired pressure ulcers"] in selectors.measures_missing_data(timezone.localdate())

    before = (DataPoint.objects.count(), DataPoint.history.count(), [m.data_version for m in measures.values()])
    call_command("seed_demo", password="demo-pass-123")
    after = (
        DataPoint.objects.count(),
        DataPoint.history.count(),
        [Measure.objects.get(pk=m.pk).data_version for m in measures.values()],
    )
    assert before == after
