"""Every measure made before measures had data types recorded one value a week: say so, then 0004 requires it.

Reversible: going back clears the two columns again, which 0002 then drops. Going back is refused while a measure
records anything else (a proportion, a rate, a count, rare events, or monthly data), because the older schema
cannot hold it; remove or convert those measures first.
"""

from django.db import migrations

SINGLE, WEEKLY = "single", "weekly"


def single_weekly(apps, schema_editor):
    for name in ("Measure", "HistoricalMeasure"):
        model = apps.get_model("runcharts", name)
        model.objects.filter(data_type__isnull=True).update(data_type=SINGLE)
        model.objects.filter(frequency__isnull=True).update(frequency=WEEKLY)


def unset(apps, schema_editor):
    Measure = apps.get_model("runcharts", "Measure")
    newer = Measure.objects.exclude(data_type=SINGLE, frequency=WEEKLY).exclude(data_type__isnull=True)
    if newer.exists():
        names = ", ".join(sorted(newer.values_list("name", flat=True)[:5]))
        raise RuntimeError(
            f"Cannot go back before measure data types: {newer.count()} measures record something other than one "
            f"value a week ({names}). Remove or convert them first."
        )
    for name in ("Measure", "HistoricalMeasure"):
        model = apps.get_model("runcharts", name)
        model.objects.update(data_type=None, frequency=None)


class Migration(migrations.Migration):
    dependencies = [("runcharts", "0003_add_measure_kinds")]

    operations = [migrations.RunPython(single_weekly, reverse_code=unset)]
