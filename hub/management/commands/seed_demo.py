import os

from django.core.management.base import BaseCommand
from django.utils import timezone

from excellence import demo as excellence_demo
from ffit import demo as ffit_demo
from projects import demo as projects_demo
from projects import jobs as projects_jobs
from qiportal import demo
from runcharts import demo as runcharts_demo
from runcharts import demo_standing
from runcharts.kinds import NOUNS

FREQUENCY_WORDS = {"weekly": "weekly", "monthly": "monthly", "event": "per-event"}


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


class Command(BaseCommand):
    help = (
        "Create the demo trust: organisation, demo users and each app's demo data with a dated history. Safe to run "
        "again: what exists is kept as it is (demo users get the password again), only what is missing is added."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD", ""),
            help="Password for every demo user (default: $DEMO_PASSWORD). Without one, passwords are left unchanged.",
        )

    def handle(self, *args, **options):
        started = timezone.now()
        users = demo.seed_organisation(options["password"] or None)
        self.stdout.write(self.style.SUCCESS(f"Demo trust ready: {demo.TRUST_NAME}, {len(users)} demo users."))
        initiatives, created = projects_demo.seed_initiatives(users)
        kept = len(initiatives) - created
        self.stdout.write(
            self.style.SUCCESS(
                f"Initiative log: {len(initiatives)} demo initiatives ({created} created, {kept} kept as they were)."
            )
        )
        measures = runcharts_demo.seed_measures()
        frequencies = [FREQUENCY_WORDS.get(f, f) for f in NOUNS if f in {m.frequency for m in measures}]
        self.stdout.write(
            self.style.SUCCESS(f"Run charts: {len(measures)} demo measures with {_and(frequencies)} data.")
        )
        if created:
            # Entering data is work on an initiative: its last sign of work is its latest entry, where later.
            ids = [i.pk for i in initiatives]
            projects_demo.note_activity(ids, runcharts_demo.latest_entries(ids))
        standing = demo_standing.seed_standing_measures()
        self.stdout.write(self.style.SUCCESS(f"Board: {len(standing)} standing ward measures."))
        audits = ffit_demo.seed_audits(users)
        self.stdout.write(self.style.SUCCESS(f"Readiness audits (FFIT): {len(audits)} demo audits."))
        reports = excellence_demo.seed_reports(users)
        self.stdout.write(self.style.SUCCESS(f"Learning from Excellence: {reports} demo reports."))
        projects_jobs.scan_wards(notify_people=False)  # flags and stalled marks, without emailing anyone
        if created:
            projects_demo.date_scan_findings([i.pk for i in initiatives], since=started)
        flagged = ", ".join(projects_jobs.open_flag_wards()) or "none"
        self.stdout.write(self.style.SUCCESS(f"Initiativitis scan: wards with an open overload flag: {flagged}."))
        if options["password"]:
            # The README's table: one login per role, and a member of staff who receives excellence reports.
            self.stdout.write("Demo logins: " + ", ".join([u.username for u in demo.USERS[:6]] + ["hca"]))
