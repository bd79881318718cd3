"""Versioned caching of what pages derive from the data: counts, aggregates and rendered fragments.

Each app's data has a version token in the cache ("projects", "ffit", "runcharts", "excellence", "org" for the
organisation and people, "notifications"). Any save, delete or many-to-many change to one of its models gives
that app a new token once the transaction commits (`connect_signals`, called from the app config), and the few
bulk writes that bypass signals call `bump` themselves. A cached value's key holds the tokens of the apps it
reads, so a change makes the old value unreachable at once: nobody sees a count or table older than the last
committed change. Entries also expire after `TIMEOUT` as a backstop.

Keys include the day too, because "overdue" and "due this week" change at midnight with no write at all.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import TypeVar

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

T = TypeVar("T")

TIMEOUT = 10 * 60
APPS = ("projects", "ffit", "runcharts", "excellence", "org", "notifications")
# What pages show, notifications apart: those change all day and only the header's count reads them.
PAGE_DATA = ("projects", "ffit", "runcharts", "excellence", "org")
# The apps whose models pages read. Other apps' models (sessions, sign-in attempts, admin log entries, Celery
# results) change nothing a page shows, so their saves renew nothing.
_NAMESPACE_BY_APP = {app: app for app in ("projects", "ffit", "runcharts", "excellence")}
_NAMESPACE_BY_MODEL = {"qiportal.notification": "notifications", "qiportal.notificationpreference": "notifications"}


def _version_key(namespace: str) -> str:
    return f"datacache-version:{namespace}"


def namespace_for(model) -> str | None:
    label = model._meta.label_lower
    if label in _NAMESPACE_BY_MODEL:
        return _NAMESPACE_BY_MODEL[label]
    if model._meta.app_label == "qiportal":
        return "org"
    return _NAMESPACE_BY_APP.get(model._meta.app_label)


# The tokens one request has read, so its several cached pieces cost one round trip to the cache for their
# versions (set by DataCacheMiddleware; None outside a request). Any renewal in this process clears it.
_request_tokens: ContextVar[dict[str, str] | None] = ContextVar("datacache_request_tokens", default=None)


class DataCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reset = _request_tokens.set({})
        try:
            return self.get_response(request)
        finally:
            _request_tokens.reset(reset)


def _renew(namespace: str) -> None:
    cache.set(_version_key(namespace), uuid.uuid4().hex, None)
    memo = _request_tokens.get()
    if memo is not None:
        memo.clear()


def bump(*namespaces: str) -> None:
    """Give these apps' data a new version: at once outside a transaction, at its commit inside one.

    Inside a transaction, the connection's own reads see a private new token after every change (they read
    the uncommitted rows), and the shared token is renewed once, at the commit, however many rows changed:
    other requests cannot see the rows before then, so what they cache meanwhile is still true.
    """
    for namespace in namespaces:
        if namespace not in APPS:
            raise ValueError(f"Unknown data namespace {namespace!r}")
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        for namespace in namespaces:
            _renew(namespace)
        return
    flush = getattr(connection, "_datacache_flush", None)
    if flush is None or not any(entry[1] is flush for entry in connection.run_on_commit):
        # First change of this transaction (or the last flush went with a rolled-back savepoint).
        connection._datacache_pending = {}
        flush = connection._datacache_flush = _Flush(connection)
        transaction.on_commit(flush)
    for namespace in namespaces:
        connection._datacache_pending[namespace] = uuid.uuid4().hex


class _Flush:
    def __init__(self, connection):
        self.connection = connection

    def __call__(self) -> None:
        pending, self.connection._datacache_pending = self.connection._datacache_pending, {}
        for namespace in pending:
            _renew(namespace)


def versions(namespaces: Iterable[str]) -> str:
    """The current tokens of these apps' data, one string; an evicted token is replaced (a safe miss)."""
    keys = [_version_key(n) for n in namespaces]
    memo = _request_tokens.get()
    wanted = keys
    if memo is not None and all(key in memo for key in keys):
        found = {key: memo[key] for key in keys}
    else:
        # Read every app's token at once: the request's other cached pieces will want theirs.
        wanted = [_version_key(n) for n in APPS] if memo is not None else keys
        found = cache.get_many(wanted)
    missing = {key: uuid.uuid4().hex for key in wanted if key not in found}
    if missing:
        for key, token in missing.items():
            # add, not set: two requests racing here must agree on one token.
            if not cache.add(key, token, None):
                missing[key] = cache.get(key) or token
        found.update(missing)
    if memo is not None:
        memo.update(found)
    connection = transaction.get_connection()
    private = getattr(connection, "_datacache_pending", None) if connection.in_atomic_block else None
    if private:
        found.update({_version_key(n): token for n, token in private.items()})
    return ".".join(found[key] for key in keys)


def key_for(name: str, namespaces: Iterable[str], *parts) -> str:
    namespaces = tuple(namespaces)
    raw = "|".join(str(p) for p in (*parts, timezone.localdate(), versions(namespaces)))
    return f"datacache:{name}:{hashlib.sha256(raw.encode()).hexdigest()}"


def remember(name: str, namespaces: Iterable[str], parts: tuple, compute: Callable[[], T]) -> T:
    """`compute()`'s value, from the cache while none of `namespaces` has changed since it was stored."""
    key = key_for(name, namespaces, *parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def remember_many(items: dict[str, tuple[Iterable[str], tuple, Callable[[], object]]]) -> dict[str, object]:
    """Several `remember`s in one round trip to the cache: {label: (namespaces, parts, compute)} -> {label: value}."""
    keys = {label: key_for(label, namespaces, *parts) for label, (namespaces, parts, _) in items.items()}
    found = cache.get_many(list(keys.values()))
    values = {label: found.get(key) for label, key in keys.items()}
    fresh = {label: items[label][2]() for label, value in values.items() if value is None}
    if fresh:
        cache.set_many({keys[label]: value for label, value in fresh.items()}, TIMEOUT)
        values.update(fresh)
    return values


def fragment(request, template_name: str, namespaces: Iterable[str], build_context: Callable[[], dict]) -> SafeString:
    """A template rendered for this person and this address, kept while the data it reads is unchanged.

    `build_context` runs only on a miss. The template sees `request` and `user` besides its context, but no
    context processors, and must hold no CSRF token or other per-session secret: GET forms and content only.
    """

    def render() -> str:
        html = render_to_string(template_name, {"request": request, "user": request.user, **build_context()})
        if "csrfmiddlewaretoken" in html:
            raise ImproperlyConfigured(f"{template_name} holds a CSRF token, so it cannot be cached for reuse.")
        return html

    parts = (template_name, request.user.pk, request.path, request.GET.urlencode())
    html = remember("fragment", namespaces, parts, render)
    # A template's own output, autoescaped when it was rendered: marking it safe again does not re-trust input.
    return mark_safe(html)  # noqa: S308  # nosec B308 B703


def _changed(sender, **kwargs) -> None:
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # signing in changes nothing a page shows
    namespace = namespace_for(sender)
    if namespace is not None:
        bump(namespace)


def connect_signals() -> None:
    for name, signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
        signal.connect(_changed, dispatch_uid=f"datacache-{name}")
