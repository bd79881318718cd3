import os

from django.core.management.base import BaseCommand

from excellence import demo as excellence_demo
from ffit import demo as ffit_demo
from projects import demo as projects_demo
from projects import jobs as projects_jobs
from qiportal import demo
from runcharts import demo as runcharts_demo
from runcharts import demo_standing


class Command(BaseCommand):
    help = "Create or refresh the demo trust: organisation, demo users and each app's demo data. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD", ""),
            help="Password for every demo user (default: $DEMO_PASSWORD). Without one, passwords are left unchanged.",
        )

    def handle(self, *args, **options):
        users = demo.seed_organisation(options["password"] or None)
        self.stdout.write(self.style.SUCCESS(f"Demo trust ready: {demo.TRUST_NAME}, {len(users)} demo users."))
        initiatives = projects_demo.seed_initiatives(users)
        self.stdout.write(self.style.SUCCESS(f"Initiative log: {len(initiatives)} demo initiatives."))
        measures = runcharts_demo.seed_measures()
        self.stdout.write(self.style.SUCCESS(f"Run charts: {len(measures)} demo measures with weekly data."))
        standing = demo_standing.seed_standing_measures()
        self.stdout.write(self.style.SUCCESS(f"Board: {len(standing)} standing ward measures."))
        audits = ffit_demo.seed_audits(users)
        self.stdout.write(self.style.SUCCESS(f"Readiness audits (FFIT): {len(audits)} demo audits."))
        reports = excellence_demo.seed_reports(users)
        self.stdout.write(self.style.SUCCESS(f"Learning from Excellence: {reports} demo reports."))
        projects_jobs.scan_wards(notify_people=False)  # flags and stalled marks, without emailing anyone
        flagged = ", ".join(projects_jobs.open_flag_wards()) or "none"
        self.stdout.write(self.style.SUCCESS(f"Initiativitis scan: wards with an open overload flag: {flagged}."))
        if options["password"]:
            self.stdout.write("Demo logins: " + ", ".join(u.username for u in demo.USERS[:6]))
