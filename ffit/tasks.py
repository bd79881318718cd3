"""Thin Celery tasks over ffit.jobs."""

from celery import shared_task

from ffit import jobs


@shared_task(acks_late=True)
def remind_ffit_missing() -> list[str]:
    return jobs.remind_ffit_missing().lines
