"""Pages that bring several apps together: each role's home, the ward page, the dashboard, and an initiative's page
and its sponsor review, which show its measures (runcharts) and its wards' readiness (ffit) beside the charter."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from excellence import selectors as excellence_selectors
from ffit.selectors import readiness_items
from hub import dashboard, selectors
from projects import selectors as project_selectors
from projects import services
from projects.models import Status
from projects.overload import ward_live_loads
from projects.views.common import crumbs, initiative_or_404, load_if_live_context
from qiportal import permissions
from qiportal.models import Ward
from runcharts.analysis import SIGNAL_LABELS
from runcharts.charts import version_token
from runcharts.selectors import latest_signals

INITIATIVE_CHARTS = 6  # run charts drawn on an initiative's page; every measure is listed with its signal


@require_GET
def home(request):
    return render(request, "hub/home.html", selectors.home_context(request.user))


@require_GET
def ward_detail(request, slug):
    ward = get_object_or_404(Ward.objects.select_related("directorate"), slug=slug)
    if not permissions.can_view_ward(request.user, ward):
        raise PermissionDenied
    context = {**selectors.ward_page_context(ward, request.user), "crumbs": [("Home", reverse("home"))]}
    return render(request, "hub/ward_detail.html", context)


@require_GET
def dashboard_page(request):
    if not permissions.can_view_dashboard(request.user):
        raise PermissionDenied
    context = dashboard.dashboard_context(
        request.user,
        directorate=request.GET.get("directorate") or None,
        sort=request.GET.get("sort"),
        page=request.GET.get("page"),
    )
    return render(request, "hub/dashboard.html", {**context, "crumbs": [("Home", reverse("home"))]})


@require_GET
def dashboard_chart(request, kind):
    if not permissions.can_view_dashboard(request.user):
        raise PermissionDenied
    chart = dashboard.chart_data(kind, request.user, request.GET.get("directorate") or None)
    response = HttpResponse(dashboard.render_svg(chart), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


# An initiative and its sponsor review ----------------------------------------------------------------


@require_GET
def initiative_detail(request, pk):
    initiative = initiative_or_404(request, pk)
    if not permissions.can_view_initiative(request.user, initiative):
        raise Http404
    return render(request, "hub/initiative_detail.html", _initiative_context(request, initiative))


def _initiative_context(request, initiative) -> dict:
    user = request.user
    # Its own measures, then the standing measures it links to as outcome measures (one query, however many).
    measures = list(initiative.measures.all()) + list(initiative.linked_measures.all())
    signals = latest_signals(measures)
    return {
        "initiative": initiative,
        "timeline": list(initiative.decisions.all()),
        "cycles": list(initiative.pdsa_cycles.all()),
        "scores": list(initiative.progress_scores.all()),
        "history": project_selectors.charter_history(initiative),
        "measures": measures,
        "signals": signals,
        "chart_rows": _chart_rows(initiative, measures, signals),
        "excellence_reports": excellence_selectors.reports_behind(initiative, user),
        "suggestion": services.suggest_progress_score(
            initiative, cycles=list(initiative.pdsa_cycles.all()), measures=measures
        ),
        "can_edit": permissions.can_edit_initiative(user, initiative),
        "can_submit": permissions.can_submit_initiative(user, initiative),
        "can_decide": permissions.can_decide(user, initiative),
        "can_record_pdsa": permissions.can_record_pdsa(user, initiative),
        "can_set_score": permissions.can_set_progress_score(user, initiative),
        "can_complete": permissions.can_complete(user, initiative),
        "can_add_measure": permissions.can_add_measure(user, initiative),
        "crumbs": crumbs(),
    }


def _chart_rows(initiative, measures, signals) -> list[tuple]:
    """(measure, signal label, chart version) for the run charts shown on the page, from prefetched rows."""
    rows = []
    for measure in measures[:INITIATIVE_CHARTS]:
        marks = [(c.number, c.starts_on) for c in initiative.pdsa_cycles.all() if c.measure_id == measure.pk]
        label = SIGNAL_LABELS.get(signals.get(measure.pk), "Not enough data")
        rows.append((measure, label, version_token(measure.data_version, marks)))
    return rows


@require_GET
def review_detail(request, pk):
    initiative = initiative_or_404(request, pk)
    if not permissions.can_decide(request.user, initiative):
        raise PermissionDenied
    wards = list(initiative.wards.all())
    measures = list(initiative.measures.all())
    loads = ward_live_loads(wards)  # initiativitis (issue 8): each ward's load and any open flag; none without wards
    context = {
        "initiative": initiative,
        "wards": wards,
        "ward_loads": [(ward, loads[ward.pk]) for ward in wards],
        # Directorate-wide and trust-wide initiatives add to wards' loads too: name the flagged ones they touch.
        "overloaded_wards": project_selectors.overloaded_wards_touched([initiative]).get(initiative.pk, []),
        "pdsa": project_selectors.pdsa_activity(initiative),
        "scores": list(initiative.progress_scores.all()),
        "measures": measures,
        "signals": latest_signals(measures),
        "decisions_open": services.allowed_decisions(initiative),
        "readiness_items": readiness_items(wards),
        "crumbs": [("Home", reverse("home")), ("Reviews", reverse("projects:review_queue"))],
    }
    # Before approval (or resuming), the sponsor sees what going live would do to each ward's load, and may decide
    # an open overload flag from here; once live, each ward's load as it is.
    going_live = {Status.SUBMITTED: "after approval", Status.PAUSED: "after resuming"}.get(initiative.status)
    context.update(load_if_live_context(request.user, initiative, going_live or "now"))
    context["going_live"] = going_live
    return render(request, "hub/review_detail.html", context)
