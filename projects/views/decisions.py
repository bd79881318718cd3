"""Sponsor decisions on an initiative and the review queue."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from projects import forms, selectors, services
from projects.models import Decision, Status
from projects.views.common import crumbs, initiative_or_404, load_if_live_context
from qiportal import permissions
from qiportal.forms import add_service_errors
from qiportal.paging import page_by_ids

K = Decision.Kind
# Decisions that make an initiative live, and the words for "after" on their page.
GOING_LIVE = {K.APPROVE: "after approval", K.RESUME: "after resuming"}
DECISION_BUTTONS = {
    K.APPROVE: "Approve initiative",
    K.REQUEST_CHANGES: "Request changes",
    K.NOT_APPROVE: "Do not approve",
    K.PAUSE: "Pause initiative",
    K.RESUME: "Resume initiative",
    K.HALT: "Halt initiative",
    K.COMPLETE: "Mark as completed",
    K.REVIEW_DONE: "Record review",
}


@require_http_methods(["GET", "POST"])
def decide(request, pk, kind):
    initiative = initiative_or_404(request, pk)
    if not permissions.can_make_decision(request.user, initiative, kind):
        raise PermissionDenied
    if kind not in services.allowed_decisions(initiative):
        messages.error(request, f"You cannot do that to an initiative that is ‘{initiative.get_status_display()}’.")
        return redirect(initiative)
    readiness_warning = kind == K.APPROVE and _readiness_warning(initiative)
    form = forms.DecisionForm(
        request.POST or None,
        kind=kind,
        button=DECISION_BUTTONS[kind],
        initial_review=timezone.localdate() + timezone.timedelta(weeks=initiative.review_interval_weeks),
        warning_needed=readiness_warning,
    )
    if form.is_valid():
        try:
            services.decide(initiative_id=pk, kind=kind, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            verb = services.TRANSITIONS[kind].verb
            messages.success(request, f"You {verb} ‘{initiative.title}’. The team will be emailed.")
            return redirect(initiative)
    return render(
        request,
        "projects/initiative_decide.html",
        {
            "initiative": initiative,
            "form": form,
            "kind": kind,
            "heading": DECISION_BUTTONS[kind],
            "readiness_warning": readiness_warning,
            "crumbs": crumbs((initiative.title, initiative.get_absolute_url())),
            **(load_if_live_context(request.user, initiative, GOING_LIVE[kind]) if kind in GOING_LIVE else {}),
        },
    )


def _readiness_warning(initiative) -> bool:
    """Approving needs a reason when any of the initiative's wards has readiness missing, stale or weak."""
    return any(ward.needs_readiness_warning() for ward in initiative.wards.all())


@require_GET
def review_queue(request):
    if not permissions.can_view_reviews(request.user):
        raise PermissionDenied
    context = {**_review_queue_context(request), "crumbs": [("Home", reverse("home"))]}
    return render(request, "projects/review_queue.html", context)


def _review_queue_context(request) -> dict:
    # Paged: a trust-wide sponsor or admin may have hundreds waiting; the groups split each page.
    # Counted as the header counts it: cheaper than counting the annotated, ordered queryset.
    total = selectors.review_total_for(request)
    queue = selectors.review_queue(request.user)
    page = page_by_ids(queue, 50, request.GET.get("page"), count=total, rows=selectors.review_rows())
    queue = list(page)
    today = timezone.localdate()
    groups = {
        "submitted": [i for i in queue if i.status == Status.SUBMITTED],
        "overdue": [i for i in queue if i.status != Status.SUBMITTED and i.next_review_on and i.next_review_on < today],
        "due": [i for i in queue if i.status != Status.SUBMITTED and i.next_review_on and i.next_review_on >= today],
        "flagged": [i for i in queue if i.is_flagged],
    }
    overloaded = selectors.overloaded_wards_touched(groups["flagged"])
    for initiative in queue:
        initiative.overloaded_wards = overloaded.get(initiative.pk, [])
    return {"groups": groups, "total": page.paginator.count, "page": page, "query": ""}
