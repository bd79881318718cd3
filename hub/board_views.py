"""The measure board pages: the trust's, a directorate's and a ward's, with CSV and XLSX downloads (issue 19)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from hub import board
from qiportal import exports, permissions
from qiportal.models import Directorate, Ward
from qiportal.paging import page_by_ids


@require_GET
def trust_board(request):
    return _board(request, board.BoardScope())


@require_GET
def directorate_board(request, directorate_slug):
    return _board(request, board.BoardScope(directorate=get_object_or_404(Directorate, slug=directorate_slug)))


@require_GET
def ward_board(request, ward_slug):
    ward = get_object_or_404(Ward.objects.select_related("directorate"), slug=ward_slug, is_active=True)
    if not permissions.can_view_ward(request.user, ward):
        raise PermissionDenied
    return _board(request, board.BoardScope(directorate=ward.directorate, ward=ward))


def _board(request, scope: board.BoardScope):
    if not permissions.can_view_board(request.user):
        raise PermissionDenied
    filterset, measures, chosen = board.filtered_board(request.user, scope, request.GET)
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        return _export(request, scope, measures, export)
    page = page_by_ids(measures, board.PAGE_SIZE, request.GET.get("page"), rows=board.shown_measures())
    rows = [board.BoardRow(measure) for measure in page]
    # Only the wards whose measures are on this page: the trust has some 150, and their load and readiness are
    # read for each ward shown.
    wards = board.scope_wards(
        request.user,
        scope,
        chosen.get("directorate") or (),
        chosen.get("ward"),
        measures=[row.measure for row in rows],
    )
    query = request.GET.copy()
    query.pop("page", None)
    crumbs = [("Home", reverse("home"))]
    if scope.kind != "trust":
        crumbs.append(("Trust board", reverse("board")))
    if scope.kind == "ward":
        crumbs.append((f"{scope.directorate.name} board", reverse("board_directorate", args=[scope.directorate.slug])))
    context = {
        "scope": scope,
        "filter": filterset,
        "filter_form": filterset.form,
        "page": page,
        "rows": rows,
        "panels": board.ward_panels(wards, with_sections=scope.kind != "trust"),
        "query": query.urlencode(),
        "export_query": _export_query(chosen),
        "defaulted": not request.GET and bool(chosen.get("directorate")),
        "filters_open": bool(set(request.GET) - {"page", "order", "export"}),
        "can_add_standing": _can_add_standing(request.user, scope),
        "crumbs": crumbs,
    }
    return render(request, "hub/board.html", context)


def _export_query(chosen: dict) -> str:
    return board._as_querydict({k: v for k, v in chosen.items() if k not in ("page", "export")}).urlencode()


def _can_add_standing(user, scope) -> str | None:
    """The page to add a standing measure to this board's owner, if the person may."""
    if scope.kind == "ward" and permissions.can_add_standing_measure(user, ward=scope.ward):
        return reverse("runcharts:standing_create_ward", args=[scope.ward.slug])
    if scope.kind == "directorate" and permissions.can_add_standing_measure(user, directorate=scope.directorate):
        return reverse("runcharts:standing_create_directorate", args=[scope.directorate.slug])
    if scope.kind == "trust" and permissions.can_add_standing_measure(user):
        return reverse("runcharts:standing_create_trust")
    return None


def _export(request, scope, measures, kind):
    stamp = timezone.localdate().isoformat()
    name = f"board-{scope.ward.slug if scope.ward else scope.directorate.slug if scope.directorate else 'trust'}"
    rows = board.export_rows(measures, request.build_absolute_uri("/")[:-1])
    if kind == "csv":
        return exports.csv_response(f"{name}-{stamp}.csv", board.EXPORT_HEADER, rows)
    return exports.xlsx_response(f"{name}-{stamp}.xlsx", board.EXPORT_HEADER, rows, title=scope.title)
