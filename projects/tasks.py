"""Thin Celery tasks over projects.jobs. Each is idempotent: a second or overlapping run changes nothing."""

from celery import shared_task

from projects import jobs


@shared_task(acks_late=True)
def scan_wards() -> list[str]:
    return jobs.scan_wards().lines


@shared_task(acks_late=True)
def remind_reviews_due() -> list[str]:
    return jobs.remind_reviews_due().lines


@shared_task(acks_late=True)
def remind_pdsa_overdue() -> list[str]:
    return jobs.remind_pdsa_overdue().lines


@shared_task(acks_late=True)
def remind_overload_reviews() -> list[str]:
    return jobs.remind_overload_reviews().lines
