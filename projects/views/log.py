"""The initiative log: the portfolio list, its filters and its downloads."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from projects import selectors
from projects.filters import PortfolioFilter
from projects.models import Decision, Initiative, Status
from qiportal import exports, permissions
from qiportal.paging import page_by_ids

K = Decision.Kind


@require_GET
def portfolio(request):
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return _export(selectors.portfolio_rows(_filtered(request)[1]), export)
    context = {
        **_portfolio_context(request),
        "can_create": permissions.can_create_initiative(request.user),
        "crumbs": [("Home", reverse("home"))],
    }
    return render(request, "projects/initiative_list.html", context)


def _filtered(request):
    """The filter form and the initiatives it keeps of those this person may see, in the chosen order."""
    filterset = PortfolioFilter(request.GET or None, queryset=selectors.portfolio(request.user))
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    if not request.GET.get("sort"):
        queryset = queryset.order_by("-updated_at", "-pk")
    return filterset, queryset


def _portfolio_context(request) -> dict:
    filterset, queryset = _filtered(request)
    counts = selectors.status_counts(queryset)
    shown = selectors.portfolio_rows(Initiative.objects.all())
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "filter": filterset,
        "filter_form": filterset.form,
        # Counted with the status tabs: the paginator needs no COUNT query of its own. The page's rows are read
        # by their keys, with what a row shows.
        "page": page_by_ids(queryset, 25, request.GET.get("page"), count=counts["total"], rows=shown),
        "counts": counts,
        "status_rows": [(value, label, counts[value]) for value, label in Status.choices],
        "query": query.urlencode(),
    }


def _export(queryset, kind):
    header, rows = selectors.export_rows(queryset)
    stamp = timezone.localdate().isoformat()
    if kind == "csv":
        return exports.csv_response(f"initiatives-{stamp}.csv", header, rows)
    return exports.xlsx_response(f"initiatives-{stamp}.xlsx", header, rows, title="Initiatives")
