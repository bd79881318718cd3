"""Fill the wards' stored readiness (qiportal 0003) from the audits already closed: each ward's latest closed audit,
its closing day and its weakest section's combined score. Reversing clears the two fields."""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

from ffit import scoring  # pure Python, no models: safe to use from a migration


def forwards(apps, schema_editor):
    Audit = apps.get_model("ffit", "Audit")
    Ward = apps.get_model("qiportal", "Ward")
    latest = {}
    closed = (
        Audit.objects.filter(status="closed", closed_at__isnull=False, responses__submitted_at__isnull=False)
        .distinct()
        .order_by("closed_at", "pk")
    )
    for audit in closed:
        latest[audit.ward_id] = audit  # the last one wins: ordered oldest first
    for ward_id, audit in latest.items():
        answers = [r.answers for r in audit.responses.filter(submitted_at__isnull=False)]
        if not answers:
            continue
        percents = [s.percent for s in scoring.combined_section_scores(answers) if s.percent is not None]
        Ward.objects.filter(pk=ward_id).update(
            readiness_closed_on=timezone.localdate(audit.closed_at),
            readiness_lowest_percent=Decimal(str(round(min(percents), 1))) if percents else None,
        )


def backwards(apps, schema_editor):
    apps.get_model("qiportal", "Ward").objects.update(readiness_closed_on=None, readiness_lowest_percent=None)


class Migration(migrations.Migration):
    dependencies = [("ffit", "0001_audits"), ("qiportal", "0003_ward_readiness")]

    operations = [migrations.RunPython(forwards, backwards)]
