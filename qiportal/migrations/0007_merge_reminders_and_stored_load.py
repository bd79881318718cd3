# Two branches of work each added a qiportal migration: reminder batches and the stored ward load.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("qiportal", "0006_reminder_batches"),
        ("qiportal", "0006_ward_stored_load"),
    ]

    operations = []
