"""Email backends that fail the way real mail servers do, for the fault tests."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    """The mail server is down: nothing listens on its port."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connection refused")


class SmtpErrorBackend(BaseEmailBackend):
    """The mail server answers but will not take the message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
