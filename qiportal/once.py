"""Form submissions that happen once: a one-time token per rendered form, checked in the database.

A double click, the browser resending a POST, or the same page sent from two tabs must not create two reports or two
initiatives. Each create form carries a hidden `form_token`, new each time the empty form is shown
(`qiportal.forms.OnceOnlyFormMixin`, or `{% form_token %}` from `qiportal_tags` in a hand-written form), and the
view is wrapped in `submit_once`. The first POST with a token claims it in the same transaction as the view's writes;
a later POST with the same token creates nothing and is sent where the first one went (its confirmation), with a
note saying so. Concurrent requests meet at the database's unique constraint: the second waits for the first to
commit and then sees its claim. A POST whose form had errors releases the token, so the corrected form can be sent.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone

from qiportal.models import SubmittedForm

FIELD = "form_token"
SHAPE = re.compile(r"^[0-9a-f]{32}$")
KEPT_FOR = timedelta(days=2)  # long enough for a page left open overnight to be sent again harmlessly
ALREADY_SENT = "You already sent this form, so nothing was saved twice. This is what your first submission saved."


def new_token() -> str:
    return secrets.token_hex(16)


def submit_once(view):
    """Run a POST view at most once per form token; a repeat is redirected to where the first one led."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not SHAPE.match(token) or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    claim = SubmittedForm.objects.create(user=request.user, token=token)
            except IntegrityError:
                first = SubmittedForm.objects.filter(user=request.user, token=token).first()
                messages.info(request, ALREADY_SENT)
                return redirect(first.result_url if first and first.result_url else request.get_full_path())
            response = view(request, *args, **kwargs)
            if response.status_code in (301, 302, 303) and response.has_header("Location"):
                claim.result_url = response["Location"][:500]
                claim.save(update_fields=["result_url"])
            else:
                claim.delete()  # the form was shown again with its errors: the same token may be sent once corrected
        SubmittedForm.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
        return response

    return wrapper
