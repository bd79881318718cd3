"""Set each initiative's last activity (0004) from what happened before it was stored: its creation, approvals
and resumptions, PDSA cycles saved and measure data entered. Reversing leaves the field as it is (0004's reverse
drops it)."""

from django.db import migrations
from django.db.models import Max
from django.db.models.functions import Greatest


def forwards(apps, schema_editor):
    Initiative = apps.get_model("projects", "Initiative")
    Decision = apps.get_model("projects", "Decision")
    PdsaCycle = apps.get_model("projects", "PdsaCycle")
    DataPoint = apps.get_model("runcharts", "DataPoint")
    last = dict(Initiative.objects.values_list("pk", "created_at"))

    def later(pairs):
        for pk, moment in pairs:
            if moment is not None and pk in last and moment > last[pk]:
                last[pk] = moment

    later(
        Decision.objects.filter(kind__in=["approve", "resume"])
        .values("initiative_id")
        .annotate(at=Max("made_at"))
        .values_list("initiative_id", "at")
    )
    later(
        PdsaCycle.objects.values("initiative_id")
        .annotate(at=Max(Greatest("created_at", "updated_at")))
        .values_list("initiative_id", "at")
    )
    later(
        DataPoint.objects.values("measure__initiative_id")
        .annotate(at=Max("entered_at"))
        .values_list("measure__initiative_id", "at")
    )
    for pk, moment in last.items():
        Initiative.objects.filter(pk=pk).update(last_activity_at=moment)


class Migration(migrations.Migration):
    dependencies = [("projects", "0004_initiative_last_activity"), ("runcharts", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
