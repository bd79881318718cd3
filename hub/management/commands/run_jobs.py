"""Run the scheduled jobs by hand, synchronously: a cron fallback, and for demos.

manage.py run_jobs                      # every job, in schedule order
manage.py run_jobs --job scan_wards     # one job
manage.py run_jobs --dry-run            # say what would happen; change nothing, send nothing
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from hub.jobs import JOBS
from qiportal.jobs import JobResult, reminder_run


class DryRunRollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Run the scheduled jobs now, in this process, and print what each did. Reminders from every job run go "
        "out together at the end: one message per person."
    )

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
        names = jobs or [*registry]
        results = self._run([registry[name] for name in names], dry_run=dry_run)
        for name, result in zip(names, results, strict=True):
            self.stdout.write(self.style.MIGRATE_HEADING(f"{name}{' (dry run)' if dry_run else ''}"))
            for line in result.lines:
                if dry_run:
                    line = line.replace("Opened", "Would open").replace("Closed", "Would close")
                self.stdout.write(f"  {line}")
        if dry_run:
            self.stdout.write("Dry run: nothing was saved and no email was sent.")

    def _run(self, jobs, *, dry_run: bool) -> list[JobResult]:
        """Every job in one reminder run: each person gets one message for all the reminders of this run."""
        if not dry_run:
            with reminder_run():
                return [job() for job in jobs]
        # Everything the jobs write, and every email they queue after commit, is rolled back.
        results: list[JobResult] = []
        try:
            with transaction.atomic():
                with reminder_run():
                    results = [job() for job in jobs]
                raise DryRunRollback
        except DryRunRollback:
            pass
        return results
