"""Thin Celery tasks over the notification service."""

from celery import shared_task
from django.conf import settings

from qiportal import notifications


@shared_task(bind=True, acks_late=True, max_retries=notifications.MAX_ATTEMPTS)
def send_notification_email(self, notification_id: int) -> bool:
    sent = notifications.deliver(notification_id)
    if not sent and not settings.CELERY_TASK_ALWAYS_EAGER:
        from qiportal.models import Notification

        failed = Notification.objects.filter(
            pk=notification_id, status=Notification.Status.FAILED, attempts__lt=notifications.MAX_ATTEMPTS
        ).exists()
        if failed:  # back off: 1, 2, 4, 8 minutes; the retry_failed_emails job picks up anything left
            raise self.retry(countdown=60 * 2**self.request.retries)
    return sent


@shared_task(acks_late=True)
def retry_failed_emails() -> int:
    return notifications.retry_failed()
