"""Adding, editing and showing a measure, and choosing its chart."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from projects.models import Initiative
from qiportal import permissions
from qiportal.models import Directorate, Ward
from qiportal.once import submit_once
from runcharts import kinds, selectors, services
from runcharts.analysis import Analysis
from runcharts.forms import ChartChoiceForm, MeasureForm, OutcomeLinkForm
from runcharts.models import Measure
from runcharts.views._common import crumbs, initiative_url, measure_for


@require_http_methods(["GET", "POST"])
@submit_once
def measure_create(request, initiative_pk: int | None = None):
    initiative_pk = initiative_pk or request.GET.get("initiative")
    if not str(initiative_pk or "").isdigit():
        raise Http404("Choose the initiative the measure belongs to")
    initiative = get_object_or_404(Initiative.objects.visible_to(request.user), pk=int(initiative_pk))
    if not permissions.can_add_measure(request.user, initiative):
        raise PermissionDenied
    form = MeasureForm(request.POST or None, initiative=initiative, submit_label="Add measure")
    if form.is_valid():
        try:
            measure = services.create_measure(initiative=initiative, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            what = "events" if measure.frequency == kinds.EVENT else f"{measure.frequency} data"
            messages.success(request, f"You added the measure ‘{measure.name}’. Now enter its {what}.")
            return redirect(measure)
    return render(
        request,
        "runcharts/measure_form.html",
        {"form": form, "initiative": initiative, "crumbs": crumbs(initiative), "heading": "Add a measure"},
    )


@require_http_methods(["GET", "POST"])
@submit_once
def standing_create(request, ward_slug: str | None = None, directorate_slug: str | None = None):
    """Add a standing measure to a ward, a directorate or the trust (no slug)."""
    ward = get_object_or_404(Ward, slug=ward_slug, is_active=True) if ward_slug else None
    directorate = get_object_or_404(Directorate, slug=directorate_slug) if directorate_slug else None
    if not permissions.can_add_standing_measure(request.user, ward=ward, directorate=directorate):
        raise PermissionDenied
    owner_label = ward.name if ward else directorate.name if directorate else "Whole trust"
    form = MeasureForm(request.POST or None, submit_label="Add standing measure")
    if form.is_valid():
        try:
            measure = services.create_standing_measure(
                by=request.user, ward=ward, directorate=directorate, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            what = "events" if measure.frequency == kinds.EVENT else f"{measure.frequency} data"
            messages.success(request, f"You added the standing measure ‘{measure.name}’. Now enter its {what}.")
            return redirect(measure)
    return render(
        request,
        "runcharts/measure_form.html",
        {
            "form": form,
            "owner_label": owner_label,
            "crumbs": [("Home", reverse("home"))],
            "heading": "Add a standing measure",
        },
    )


@require_http_methods(["GET", "POST"])
def outcome_link(request, initiative_pk: int):
    """Link one of the standing measures of the initiative's wards, directorate or trust as an outcome measure."""
    initiative = get_object_or_404(Initiative.objects.visible_to(request.user), pk=initiative_pk)
    if not permissions.can_link_outcome_measure(request.user, initiative):
        raise PermissionDenied
    choices = selectors.standing_measures_for_initiative(initiative)
    form = OutcomeLinkForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        measure = services.link_outcome_measure(
            initiative=initiative, measure_id=form.cleaned_data["measure"].pk, by=request.user
        )
        messages.success(request, f"{initiative.title} now uses the standing measure ‘{measure.name}’.")
        return redirect(measure)
    return render(
        request,
        "runcharts/outcome_link.html",
        {"form": form, "initiative": initiative, "has_choices": choices.exists(), "crumbs": crumbs(initiative)},
    )


@require_http_methods(["GET", "POST"])
def outcome_unlink(request, initiative_pk: int, measure_pk: int):
    """Ask, then stop using a linked standing measure as the initiative's outcome measure (its data stays)."""
    initiative = get_object_or_404(Initiative.objects.visible_to(request.user), pk=initiative_pk)
    if not permissions.can_link_outcome_measure(request.user, initiative):
        raise PermissionDenied
    measure = get_object_or_404(initiative.linked_measures.select_related("ward", "directorate"), pk=measure_pk)
    if request.method == "POST":
        services.unlink_outcome_measure(initiative=initiative, measure_id=measure.pk, by=request.user)
        messages.success(request, f"{initiative.title} no longer uses the standing measure ‘{measure.name}’.")
        return redirect(initiative_url(initiative) or measure)
    return render(
        request,
        "runcharts/outcome_unlink.html",
        {"initiative": initiative, "measure": measure, "crumbs": crumbs(initiative)},
    )


@require_http_methods(["GET", "POST"])
def measure_edit(request, pk: int):
    measure = measure_for(request, pk, edit=True)
    form = MeasureForm(request.POST or None, instance=measure, initiative=measure.initiative)
    owner_label = measure.owner_label
    if request.method == "POST" and form.is_valid():
        try:
            services.update_measure(measure_id=measure.pk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"You saved the measure ‘{form.cleaned_data['name']}’.")
            return redirect(measure)
    return render(
        request,
        "runcharts/measure_form.html",
        {
            "form": form,
            "initiative": measure.initiative,
            "owner_label": owner_label,
            "measure": measure,
            "crumbs": crumbs(measure.initiative, measure),
            "heading": f"Edit ‘{measure.name}’",
        },
    )


def alt_text(measure: Measure, analysis: Analysis) -> str:
    count = kinds.count_label(measure.frequency, analysis.points)
    parts = [
        f"{analysis.chart_name} of {measure.name}, {count}.",
        analysis.summary,
        *analysis.caveats,
        *analysis.meanings,
    ]
    if measure.target is not None:
        parts.append(f"Target: {measure.target:g}.")
    return " ".join(parts)


@require_GET
def measure_detail(request, pk: int):
    measure = measure_for(request, pk)
    analysis = selectors.measure_analysis(measure)
    return render(
        request,
        "runcharts/measure_detail.html",
        {
            "measure": measure,
            "initiative": measure.initiative,
            "analysis": analysis,
            "rows": list(reversed(analysis.rows)),
            "alt": alt_text(measure, analysis),
            "signal": measure.latest_signal,
            "rule_document": kinds.RULE_DOCUMENTS[analysis.rule_document],
            "period_heading": {kinds.WEEKLY: "Week starting", kinds.MONTHLY: "Month"}.get(measure.frequency, "Event"),
            "chart_changes": selectors.chart_history(measure),
            "can_edit": permissions.can_edit_measure(request.user, measure),
            "rephases": measure.rephases.select_related("created_by"),
            "annotations": measure.annotations.all(),
            "cycles": measure.pdsa_cycles.order_by("starts_on", "number"),
            "crumbs": crumbs(measure.initiative, None if measure.initiative_id else measure),
            "version": measure.data_version,
        },
    )


@require_http_methods(["GET", "POST"])
def chart_change(request, pk: int):
    measure = measure_for(request, pk, edit=True)
    analysis = selectors.measure_analysis(measure)
    form = ChartChoiceForm(request.POST or None, measure=measure, suggestion=analysis.suggestion)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_chart(measure_id=measure.pk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            measure.refresh_from_db()
            shown = selectors.measure_analysis(measure).chart_name
            messages.success(request, f"The measure now uses a {shown}. Your reason is kept on its history.")
            return redirect(measure)
    return render(
        request,
        "runcharts/chart_form.html",
        {
            "measure": measure,
            "analysis": analysis,
            "form": form,
            "crumbs": crumbs(measure.initiative, measure),
        },
    )
