"""Thin Celery tasks over hub's jobs: the weekly digest, and the retry of failed emails (it queues the core's
email task, so it sits above the core)."""

from celery import shared_task

from hub import digest, jobs


@shared_task(acks_late=True)
def send_weekly_digest() -> list[str]:
    return digest.send_weekly_digest().lines


@shared_task(acks_late=True)
def retry_failed_emails() -> list[str]:
    return jobs.retry_failed_emails().lines
