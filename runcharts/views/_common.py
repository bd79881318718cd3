"""What every measure page needs: the measure the user may see or edit, breadcrumbs, and an htmx-aware redirect."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django_htmx.http import HttpResponseClientRedirect

from projects.models import Initiative
from qiportal import permissions
from runcharts import selectors
from runcharts.models import Measure


def initiative_url(initiative: Initiative) -> str | None:
    try:
        return initiative.get_absolute_url()
    except NoReverseMatch:  # the initiative pages are another app's; until they are mounted, no link
        return None


def crumbs(initiative: Initiative | None, measure: Measure | None = None) -> list[tuple[str, str]]:
    """Home, the measure's initiative (or, for a standing measure, the board of its owner), then the measure."""
    trail = [("Home", reverse("home"))]
    url = initiative_url(initiative) if initiative is not None else None
    if url:
        trail.append((initiative.title, url))
    elif measure is not None and measure.is_standing:
        trail.append((f"Board: {measure.owner_label}", board_url(measure)))
    if measure is not None:
        trail.append((measure.name, measure.get_absolute_url()))
    return trail


def board_url(measure: Measure) -> str:
    """The board of a standing measure's owner (hub's page, reached by URL name only)."""
    try:
        if measure.scope == Measure.Scope.WARD:
            return reverse("board_ward", args=[measure.ward.slug])
        if measure.scope == Measure.Scope.DIRECTORATE:
            return reverse("board_directorate", args=[measure.directorate.slug])
        return reverse("board")
    except NoReverseMatch:
        return reverse("home")


def measure_for(request, pk: int, *, edit: bool = False) -> Measure:
    measure = get_object_or_404(selectors.visible_measures(request.user), pk=pk)
    allowed = permissions.can_edit_measure if edit else permissions.can_view_measure
    if not allowed(request.user, measure):
        raise PermissionDenied
    return measure


def htmx_redirect(request, url: str):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
