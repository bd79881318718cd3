"""The header navigation: which sections each role sees, and the counts beside them."""

from dataclasses import dataclass

from django.urls import reverse

from ffit.selectors import invitation_counts
from projects.selectors import review_counts
from qiportal import permissions
from qiportal.models import Role
from qiportal.notifications import unread_count


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
    reviewer = permissions.can_view_reviews(user)
    counts = {"nav-audits": invitation_counts(user), "nav-unread": unread_count(user)}
    if reviewer:
        counts["nav-reviews"] = review_counts(user)
    items = [NavItem("Home", reverse("home"))]
    # Reviews right after Home: the header folds what does not fit into "More" from the end, and at 320 px only
    # the first two items stay in the bar, so the count a sponsor acts on stays in view (issue 17).
    if reviewer:
        items.append(NavItem("Reviews", reverse("projects:review_queue"), counts["nav-reviews"]["total"], "to review"))
    if permissions.can_view_board(user):  # after Reviews, so the count keeps its place at 320 px
        items.append(NavItem("Board", reverse("board")))
    items.append(NavItem("Initiatives", reverse("projects:portfolio")))
    if permissions.can_view_dashboard(user):
        items.append(NavItem("Dashboard", reverse("dashboard")))
    items.append(NavItem("Excellence", reverse("excellence:report_list")))
    # Staff see readiness audits only once invited to one; the count is what waits for their answers.
    invitations = counts["nav-audits"]
    if permissions.can_open_any_audit(user) or user.has_role(Role.SENIOR_MANAGER) or invitations["invited"]:
        items.append(
            NavItem("Readiness audits", reverse("ffit:audit_list"), invitations["to_complete"] or None, "to answer")
        )
    unread = counts["nav-unread"]
    items.append(NavItem("Notifications", reverse("notification_list"), unread or None, "unread"))
    if permissions.is_admin(user):
        items.append(NavItem("Admin", reverse("admin:index")))
    return [NavItem(i.label, i.url, i.count, i.count_label, _is_current(path, i.url)) for i in items]


def _is_current(path: str, url: str) -> bool:
    return path == url if url == "/" else path.startswith(url)
