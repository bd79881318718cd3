"""Shared bits of the initiative log's pages."""

from django.http import Http404
from django.urls import reverse

from projects import selectors
from projects.models import Initiative
from projects.overload import load_if_live
from qiportal import permissions


def crumbs(*extra):
    return [("Home", reverse("home")), ("Initiatives", reverse("projects:portfolio")), *extra]


def initiative_or_404(request, pk) -> Initiative:
    """The initiative with what its pages show, if this person may see it; else a 404 like a missing one."""
    try:
        return selectors.initiative_for_page(pk, request.user)
    except Initiative.DoesNotExist as missing:
        raise Http404 from missing


def load_if_live_context(user, initiative, after: str) -> dict:
    """For the sponsor's approve, resume and review pages: each ward's load now and if the initiative goes live,
    the flag that would raise or the one already open, and which open flags this person may decide on (the same
    question the flag page asks). A ward-scoped initiative lists every ward; a wider one the wards it takes over
    their threshold or that are flagged already, with a count of the rest."""
    changes = load_if_live(initiative)
    decidable = set()
    for change in changes:
        if change.open_flag is not None:
            change.open_flag.ward = change.ward  # the permission asks the flag's ward; no query per flag
            if permissions.can_decide_overload(user, change.open_flag):
                decidable.add(change.open_flag.pk)
    shown = [c for c in changes if initiative.scope == "wards" or c.is_over_after or c.open_flag is not None]
    return {
        "load_changes": shown,
        "load_unchanged_count": len(changes) - len(shown),
        "load_after_words": after,
        "decidable_flags": decidable,
        "load_raises_flag": any(c.would_raise_flag for c in changes),
    }
