"""Queue a Celery task without letting a broker outage break the page that asked for it.

The work a task does is always recoverable from the database (a pending Notification, a ward whose load the
next scan will read), so when the broker cannot be reached the request carries on, the failure is logged,
and the scheduled jobs (`retry_failed_emails`, the ward scan) pick the work up once it is back.

This departs from the style guide's `task.delay_on_commit(...)` on purpose: Celery's own on-commit hook raises
into the request when the broker is down, turning a saved decision into an error page and inviting a second
submit. Callers wrap `enqueue` in `transaction.on_commit` themselves.
"""

import logging

from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# What kombu and the transports raise when the broker is down, refusing, or timing out.
BROKER_ERRORS = (OperationalError, ConnectionError, OSError, TimeoutError)


def enqueue(task, *args, **kwargs) -> bool:
    """`task.delay(*args, **kwargs)`; returns False, having logged why, when the broker cannot take it."""
    try:
        task.delay(*args, **kwargs)
    except BROKER_ERRORS as error:
        logger.error("Could not queue %s%r: %s. A scheduled job will do it later.", task.name, args, error)
        return False
    return True
