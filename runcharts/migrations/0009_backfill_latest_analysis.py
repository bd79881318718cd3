"""Store every existing measure's latest analysis (variation, assurance, rule in words, latest values, sparkline),
as services.data_changed stores it from now on, so the board shows every measure from the first start.

Analyses with the pure modules (runcharts.analysis, runcharts.latest), reading the data through the migration's own
models, a batch of measures at a time. Going back leaves the columns to 0008's reversal, which drops them.
"""

from collections import defaultdict

from django.db import migrations

BATCH = 500
FIELDS = (
    "latest_signal",
    "latest_chart",
    "latest_variation",
    "latest_assurance",
    "latest_rule",
    "latest_period",
    "latest_value",
    "latest_values",
    "sparkline",
)


def backfill(apps, schema_editor):
    from runcharts.analysis import Reading, analyse
    from runcharts.latest import latest_of

    Measure = apps.get_model("runcharts", "Measure")
    DataPoint = apps.get_model("runcharts", "DataPoint")
    Rephase = apps.get_model("runcharts", "Rephase")
    ids = list(Measure.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        measures = list(Measure.objects.filter(pk__in=ids[start : start + BATCH]))
        points, rephases = defaultdict(list), defaultdict(list)
        for row in (
            DataPoint.objects.filter(measure__in=measures)
            .order_by("measure_id", "week_start")
            .values_list("measure_id", "week_start", "value", "numerator", "denominator")
        ):
            points[row[0]].append(row[1:])
        for measure_id, week in Rephase.objects.filter(measure__in=measures).values_list("measure_id", "week_start"):
            rephases[measure_id].append(week)
        for measure in measures:
            data = points[measure.pk]
            analysis = analyse(
                weeks=[week for week, *_ in data],
                readings=[Reading(value, numerator, denominator) for _, value, numerator, denominator in data],
                chart=measure.chart,
                improvement=measure.improvement,
                target=measure.target,
                baseline_points=measure.baseline_points,
                rephase_weeks=rephases[measure.pk],
                data_type=measure.data_type,
                frequency=measure.frequency,
                multiplier=measure.multiplier,
            )
            measure.latest_signal = analysis.signal
            latest = latest_of(analysis, improvement=measure.improvement, target=measure.target)
            for name, value in latest.as_fields().items():
                setattr(measure, name, value)
        Measure.objects.bulk_update(measures, FIELDS)


class Migration(migrations.Migration):
    dependencies = [("runcharts", "0008_latest_analysis")]

    operations = [migrations.RunPython(backfill, reverse_code=migrations.RunPython.noop)]
