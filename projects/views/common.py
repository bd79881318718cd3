"""Shared bits of the initiative log's pages."""

from django.http import Http404
from django.urls import reverse

from projects import selectors
from projects.models import Initiative


def crumbs(*extra):
    return [("Home", reverse("home")), ("Initiatives", reverse("projects:portfolio")), *extra]


def initiative_or_404(request, pk) -> Initiative:
    """The initiative with what its pages show, if this person may see it; else a 404 like a missing one."""
    try:
        return selectors.initiative_for_page(pk, request.user)
    except Initiative.DoesNotExist as missing:
        raise Http404 from missing
