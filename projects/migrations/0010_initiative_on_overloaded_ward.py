"""Store on each initiative whether it adds to the load of a ward with an open overload flag (the review queue and
the header's count read it), filled from the open flags as projects.overload.refresh_overload_marks does. Reversing
drops the column."""

from django.db import migrations, models
from django.db.models import Exists, Q


def forwards(apps, schema_editor):
    Initiative = apps.get_model("projects", "Initiative")
    OverloadFlag = apps.get_model("projects", "OverloadFlag")
    open_flags = OverloadFlag.objects.filter(closed_at__isnull=True)
    on_flagged_wards = Initiative.wards.through.objects.filter(ward_id__in=open_flags.values("ward_id"))
    Initiative.objects.filter(
        Q(status="live")
        & (
            Q(scope="wards", pk__in=on_flagged_wards.values("initiative_id"))
            | Q(scope="directorate", directorate_id__in=open_flags.values("ward__directorate_id"))
            | Q(Exists(open_flags), scope="trust")
        )
    ).update(on_overloaded_ward=True)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0009_initiative_recent_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="initiative",
            name="on_overloaded_ward",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
