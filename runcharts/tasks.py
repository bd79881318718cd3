"""Thin Celery tasks over runcharts.jobs."""

from celery import shared_task

from runcharts import jobs


@shared_task(acks_late=True)
def remind_data_missing() -> list[str]:
    return jobs.remind_data_missing().lines
