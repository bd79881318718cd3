"""Request one URL as every role, GET and POST, each inside a transaction that is rolled back."""

from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.security.world import ROLES, patterns_by_name, url_kwargs

# Signing in or out changes the client's own session: those pages get a fresh client each time.
SESSION_CHANGING = {"login", "logout", "admin_sign_out"}


class Clients:
    """One signed-in test client per role, kept across URLs (signing in is most of a request's cost)."""

    def __init__(self, world):
        self.world = world
        self.clients = {}

    def get(self, role: str, fresh: bool = False) -> Client:
        if fresh or role not in self.clients:
            client = Client()
            if role != "anonymous":
                client.force_login(self.world.users[role])
            if fresh:
                return client
            self.clients[role] = client
        return self.clients[role]


def observe(name: str, world, clients: Clients | None = None) -> tuple[list[int], list[int]]:
    clients = clients or Clients(world)
    url = reverse(name, kwargs=url_kwargs(name, patterns_by_name()[name], world))
    results = {"GET": [], "POST": []}
    for method in ("GET", "POST"):
        for role in ROLES:
            client = clients.get(role, fresh=name in SESSION_CHANGING)
            with transaction.atomic():
                response = client.get(url) if method == "GET" else client.post(url, {})
                transaction.set_rollback(True)
            results[method].append(response.status_code)
    return results["GET"], results["POST"]
