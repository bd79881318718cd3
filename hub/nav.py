"""The header navigation: which sections each role sees, and the counts beside them."""

from dataclasses import dataclass

from django.urls import reverse

from ffit.selectors import header_counts
from projects.selectors import review_total_for
from qiportal import permissions
from qiportal.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    count: int | None = None
    count_label: str = ""
    current: bool = False


@dataclass(frozen=True)
class Header:
    """The header's menu, and the notifications link kept in its account area, where it stays in view at any width
    (the menu folds what does not fit into "More": at 320 px only its first two items stay)."""

    items: list[NavItem]
    notifications: NavItem


def header_for(request) -> Header:

    user = request.user
    path = request.path
    reviewer = permissions.can_view_reviews(user)
    counts = header_counts(user)
    items = [NavItem("Home", reverse("home"))]
    # Reviews right after Home: the header folds what does not fit into "More" from the end, and at 320 px only
    # the first two items stay in the bar, so the count a sponsor acts on stays in view (issue 17).
    if reviewer:
        items.append(NavItem("Reviews", reverse("projects:review_queue"), review_total_for(request), "to review"))
    if permissions.can_view_board(user):  # after Reviews, so the count keeps its place at 320 px
        items.append(NavItem("Board", reverse("board")))
    items.append(NavItem("Initiatives", reverse("projects:portfolio")))
    if permissions.can_view_dashboard(user):
        items.append(NavItem("Dashboard", reverse("dashboard")))
    items.append(NavItem("Excellence", reverse("excellence:report_list")))
    # Staff see readiness audits only once invited to one; the count is what waits for their answers.
    if permissions.can_open_any_audit(user) or user.has_role(Role.SENIOR_MANAGER) or counts["invited"]:
        items.append(
            NavItem("Readiness audits", reverse("ffit:audit_list"), counts["to_complete"] or None, "to answer")
        )
    if permissions.is_admin(user):
        items.append(NavItem("Admin", reverse("admin:index")))
    url = reverse("notification_list")
    return Header(
        items=[NavItem(i.label, i.url, i.count, i.count_label, _is_current(path, i.url)) for i in items],
        notifications=NavItem("Notifications", url, counts["unread"] or None, "unread", _is_current(path, url)),
    )


def _is_current(path: str, url: str) -> bool:
    return path == url if url == "/" else path.startswith(url)
