"""An idle timeout that slides without writing the session on every page view.

Shared PCs on wards need a session to end after an idle hour (SESSION_COOKIE_AGE). Django's way, saving the session
on every request, costs a database write (and on SQLite the write lock) on every page anyone views. This renews the
session's expiry at most once a minute instead, so a session ends between 59 and 60 idle minutes after the last
page, and a person reading page after page causes one write a minute, not one per page (issue 15).
"""

import time

RENEWED_AT = "_renewed_at"
RENEW_EVERY = 60  # seconds


def renew_idle_session(get_response):
    def middleware(request):
        session = request.session
        if session.session_key is not None:  # a visitor with a session; one without has nothing to renew
            now = int(time.time())
            if now - session.get(RENEWED_AT, 0) >= RENEW_EVERY:
                session[RENEWED_AT] = now  # modified: SessionMiddleware saves it with a fresh expiry
        return get_response(request)

    return middleware


def renewed_at_sign_in(sender, request, user, **kwargs):
    """Signing in saves a new session anyway: mark it renewed then, so the first page after it writes nothing."""
    if request is not None and hasattr(request, "session"):
        request.session[RENEWED_AT] = int(time.time())
