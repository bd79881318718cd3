"""Store the whole trust's excellence counts (reports in each follow-up state, with each theme, made in each week),
filled from the reports as excellence.tallies.rebuild counts them. Reversing drops the table."""

from collections import Counter
from datetime import timedelta

from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import TruncDate


def forwards(apps, schema_editor):
    Report = apps.get_model("excellence", "ExcellenceReport")
    Tally = apps.get_model("excellence", "Tally")
    counts = Counter()
    for state, n in Report.objects.order_by().values_list("state").annotate(n=Count("pk")):
        counts[("state", state)] = n
    for theme_id, n in Report.tags.through.objects.order_by().values_list("theme_id").annotate(n=Count("pk")):
        counts[("theme", str(theme_id))] = n
    for day, n in (
        Report.objects.order_by().annotate(day=TruncDate("created_at")).values_list("day").annotate(n=Count("pk"))
    ):
        counts[("week", (day - timedelta(days=day.weekday())).isoformat())] += n
    Tally.objects.bulk_create(Tally(kind=kind, key=key, n=n) for (kind, key), n in counts.items() if n)


class Migration(migrations.Migration):
    dependencies = [
        ("excellence", "0004_weekly_count_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="Tally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("state", "Follow-up state"),
                            ("theme", "Value or theme"),
                            ("week", "Week made (its Monday)"),
                        ],
                        max_length=5,
                    ),
                ),
                ("key", models.CharField(max_length=40)),
                ("n", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("kind", "key"), name="excellence_tally_key")],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
