"""The header navigation: which sections each role sees, and the counts beside them."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from ffit.models import Audit, Response
from projects.selectors import review_total
from qiportal import permissions
from qiportal.models import Notification, Role, User


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
    counts = _counts(user)
    items = [NavItem("Home", reverse("home"))]
    # Reviews right after Home: the header folds what does not fit into "More" from the end, and at 320 px only
    # the first two items stay in the bar, so the count a sponsor acts on stays in view (issue 17).
    if reviewer:
        items.append(NavItem("Reviews", reverse("projects:review_queue"), review_total(user), "to review"))
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
    unread = counts["unread"]
    items.append(NavItem("Notifications", reverse("notification_list"), unread or None, "unread"))
    if permissions.is_admin(user):
        items.append(NavItem("Admin", reverse("admin:index")))
    return [NavItem(i.label, i.url, i.count, i.count_label, _is_current(path, i.url)) for i in items]


def _counts(user) -> dict[str, int]:
    """Unread notifications, audits invited to and audits waiting for answers, in one query (the review count is
    the second, for reviewers only)."""

    def count(queryset, owner: str):
        per_owner = queryset.order_by().values(owner).annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(per_owner, output_field=IntegerField()), 0)

    mine = Response.objects.filter(respondent=OuterRef("pk"))
    return (
        User.objects.filter(pk=user.pk)
        .annotate(
            unread=count(Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True), "recipient"),
            invited=count(mine, "respondent"),
            to_complete=count(mine.filter(submitted_at__isnull=True, audit__status=Audit.Status.OPEN), "respondent"),
        )
        .values("unread", "invited", "to_complete")
        .get()
    )


def _is_current(path: str, url: str) -> bool:
    return path == url if url == "/" else path.startswith(url)
