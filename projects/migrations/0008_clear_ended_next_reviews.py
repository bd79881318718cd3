"""Clear the next review date of initiatives that have ended (completed, halted or not approved): the services have
cleared it on ending since the ended-initiative rule (lifecycle.reviews_fall_due), but initiatives seeded or ended
before it still hold one, which the pages hide (Initiative.review_due_on) and sorting and filters still read.
Reversing leaves the dates cleared: the old dates meant nothing."""

from django.db import migrations

# lifecycle.ENDED when this migration was written; a migration does not follow later changes to the code.
ENDED = ("completed", "halted", "not_approved")


def forwards(apps, schema_editor):
    Initiative = apps.get_model("projects", "Initiative")
    Initiative.objects.filter(status__in=ENDED, next_review_on__isnull=False).update(next_review_on=None)


class Migration(migrations.Migration):
    dependencies = [("projects", "0007_backfill_ward_loads")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
