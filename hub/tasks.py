"""Thin Celery tasks over hub's jobs: the weekly digest gathers every app's news for one person."""

from celery import shared_task

from hub import digest


@shared_task(acks_late=True)
def send_weekly_digest() -> list[str]:
    return digest.send_weekly_digest().lines
