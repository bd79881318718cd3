"""The header navigation: which sections each role sees, and the counts beside them."""

from dataclasses import dataclass

from django.urls import reverse

from qiportal import permissions


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    count: int | None = None
    count_label: str = ""
    current: bool = False


def items_for(request) -> list[NavItem]:
    user = request.user
    path = request.path
    items = [NavItem("Home", reverse("home"))]
    if permissions.is_admin(user):
        items.append(NavItem("Admin", reverse("admin:index")))
    return [NavItem(i.label, i.url, i.count, i.count_label, _is_current(path, i.url)) for i in items]


def _is_current(path: str, url: str) -> bool:
    return path == url if url == "/" else path.startswith(url)
