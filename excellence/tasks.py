"""Thin Celery tasks over excellence.jobs."""

from celery import shared_task

from excellence import jobs


@shared_task(acks_late=True)
def remind_excellence_follow_up() -> list[str]:
    return jobs.remind_excellence_follow_up().lines


@shared_task(acks_late=True)
def remind_excellence_unopened() -> list[str]:
    return jobs.remind_excellence_unopened().lines
