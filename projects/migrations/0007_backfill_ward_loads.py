"""Fill each ward's stored initiative load (qiportal 0006) from the live initiatives and the open flags, as the
scan's repair does (projects.services.repair_ward_loads). Reversing leaves the fields as they are."""

from decimal import Decimal

from django.db import migrations
from django.db.models import Count


def forwards(apps, schema_editor):
    Ward = apps.get_model("qiportal", "Ward")
    Initiative = apps.get_model("projects", "Initiative")
    LoadWeights = apps.get_model("projects", "LoadWeights")
    OverloadFlag = apps.get_model("projects", "OverloadFlag")
    saved = LoadWeights.objects.filter(pk=1).first()
    weights = (
        (saved.ward_weight, saved.directorate_weight, saved.trust_weight)
        if saved
        else (Decimal("1"), Decimal("0.5"), Decimal("0.25"))
    )
    live = Initiative.objects.filter(status="live")
    per_ward = dict(
        Initiative.wards.through.objects.filter(initiative__status="live", initiative__scope="wards")
        .values("ward_id")
        .annotate(n=Count("initiative_id", distinct=True))
        .values_list("ward_id", "n")
    )
    per_directorate = dict(
        live.filter(scope="directorate")
        .values("directorate_id")
        .annotate(n=Count("pk"))
        .values_list("directorate_id", "n")
    )
    trust_wide = live.filter(scope="trust").count()
    flagged = set(OverloadFlag.objects.filter(closed_at__isnull=True).values_list("ward_id", flat=True))
    wards = list(Ward.objects.all())
    for ward in wards:
        ward.live_on_ward = per_ward.get(ward.pk, 0)
        ward.live_on_directorate = per_directorate.get(ward.directorate_id, 0)
        ward.live_trust_wide = trust_wide
        ward.live_load = (
            weights[0] * ward.live_on_ward + weights[1] * ward.live_on_directorate + weights[2] * trust_wide
        )
        ward.overload_flag_open = ward.pk in flagged
    Ward.objects.bulk_update(
        wards,
        ["live_on_ward", "live_on_directorate", "live_trust_wide", "live_load", "overload_flag_open"],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [("projects", "0006_add_text_limits"), ("qiportal", "0006_ward_stored_load")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
