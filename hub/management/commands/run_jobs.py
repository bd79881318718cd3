"""Run the scheduled jobs by hand, synchronously: a cron fallback, and for demos.

manage.py run_jobs                      # every job, in schedule order
manage.py run_jobs --job scan_wards     # one job
manage.py run_jobs --dry-run            # say what would happen; change nothing, send nothing
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hub.jobs import JOBS


class DryRunRollback(Exception):
    pass


class Command(BaseCommand):
    help = "Run the scheduled jobs now, in this process, and print what each did."

    def add_arguments(self, parser):
        parser.add_argument("--job", action="append", dest="jobs", metavar="NAME", help="Run only this job (repeat).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would happen without saving or sending anything."
        )
        parser.add_argument("--list", action="store_true", help="List the job names and stop.")

    def handle(self, *args, jobs=None, dry_run=False, list=False, **options):
        registry = JOBS
        if list:
            for name in registry:
                self.stdout.write(name)
            return
        unknown = sorted(set(jobs or []) - set(registry))
        if unknown:
            raise CommandError(f"Unknown job: {', '.join(unknown)}. Jobs: {', '.join(registry)}")
        for name in jobs or registry:
            self.stdout.write(self.style.MIGRATE_HEADING(f"{name}{' (dry run)' if dry_run else ''}"))
            lines = self._run(registry[name], dry_run=dry_run)
            for line in lines:
                self.stdout.write(f"  {line}")
        if dry_run:
            self.stdout.write("Dry run: nothing was saved and no email was sent.")

    def _run(self, job, *, dry_run: bool) -> list[str]:
        if not dry_run:
            return job().lines
        # Everything the job writes, and every email it queues after commit, is rolled back.
        lines: list[str] = []
        try:
            with transaction.atomic():
                lines = job().lines
                raise DryRunRollback
        except DryRunRollback:
            pass
        return [line.replace("Opened", "Would open").replace("Closed", "Would close") for line in lines]
