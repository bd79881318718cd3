"""Who is signing in from where: the client address sign-in throttling (django-axes) counts failures against.

Behind a TLS-terminating proxy every request arrives from the proxy's address, so a lock on "the address" would
lock the whole trust at once. Each proxy appends the address it received the request from to X-Forwarded-For; with
`PROXY_COUNT` proxies in front of the app, the client's address is the PROXY_COUNT-th entry from the right. Entries
further left were written by the client and are never trusted.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.PROXY_COUNT
    if not proxies:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote  # it did not come through every proxy: the nearest address is all that can be known
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
