"""Every scheduled job by its one name: what beat runs (settings.CELERY_BEAT_SCHEDULE), what `manage.py run_jobs`
runs by hand, and what the README lists. Each is a plain function in its app's `jobs.py` returning a JobResult."""

from collections.abc import Callable

from excellence import jobs as excellence_jobs
from ffit import jobs as ffit_jobs
from hub import digest
from projects import jobs as projects_jobs
from qiportal import notifications
from qiportal.jobs import JobResult
from runcharts import jobs as runcharts_jobs


def retry_failed_emails() -> JobResult:
    result = JobResult("retry_failed_emails")
    result.add(f"Queued {notifications.retry_failed()} failed emails to try again.")
    return result


# In schedule order.
JOBS: dict[str, Callable[[], JobResult]] = {
    "scan_wards": projects_jobs.scan_wards,
    "remind_reviews_due": projects_jobs.remind_reviews_due,
    "remind_pdsa_overdue": projects_jobs.remind_pdsa_overdue,
    "remind_overload_reviews": projects_jobs.remind_overload_reviews,
    "remind_ffit_missing": ffit_jobs.remind_ffit_missing,
    "remind_excellence_follow_up": excellence_jobs.remind_excellence_follow_up,
    "remind_excellence_unopened": excellence_jobs.remind_excellence_unopened,
    "remind_data_missing": runcharts_jobs.remind_data_missing,
    "send_weekly_digest": digest.send_weekly_digest,
    "retry_failed_emails": retry_failed_emails,
}
