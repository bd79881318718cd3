"""Thin Celery tasks over email delivery."""

from celery import shared_task
from django.conf import settings

from qiportal import delivery
from qiportal.models import Notification


@shared_task(bind=True, acks_late=True, max_retries=delivery.MAX_ATTEMPTS)
def send_notification_email(self, notification_id: int) -> bool:
    sent = delivery.deliver(notification_id)
    if not sent and not settings.CELERY_TASK_ALWAYS_EAGER:
        failed = Notification.objects.filter(
            pk=notification_id, status=Notification.Status.FAILED, attempts__lt=delivery.MAX_ATTEMPTS
        ).exists()
        if failed:  # back off: 1, 2, 4, 8 minutes; the retry_failed_emails job picks up anything left
            raise self.retry(countdown=60 * 2**self.request.retries)
    return sent
