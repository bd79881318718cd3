"""PDSA cycles, stage by stage, and the IHI progress score."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from projects import forms, services
from projects.models import Decision, PdsaCycle
from projects.views.common import crumbs, initiative_or_404
from qiportal import permissions
from qiportal.forms import add_service_errors
from qiportal.once import submit_once

K = Decision.Kind


@require_http_methods(["GET", "POST"])
@submit_once
def pdsa_create(request, pk):
    initiative = initiative_or_404(request, pk)
    if not permissions.can_record_pdsa(request.user, initiative):
        raise PermissionDenied
    form = forms.PdsaPlanForm(request.POST or None, initiative=initiative)
    if form.is_valid():
        try:
            cycle = services.plan_pdsa_cycle(initiative_id=pk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"You planned PDSA cycle {cycle.number}. Record what happened when you have run it."
            )
            return redirect(cycle)
    return render(
        request,
        "projects/pdsa_form.html",
        {
            "form": form,
            "initiative": initiative,
            "heading": "Plan a PDSA cycle",
            "crumbs": crumbs((initiative.title, initiative.get_absolute_url())),
        },
    )


def _cycle(request, pk, number):
    initiative = initiative_or_404(request, pk)
    cycle = next((c for c in initiative.pdsa_cycles.all() if c.number == number), None)
    if cycle is None:
        raise Http404
    return initiative, cycle


@require_GET
def pdsa_detail(request, pk, number):
    initiative, cycle = _cycle(request, pk, number)
    if not permissions.can_view_initiative(request.user, initiative):
        raise Http404
    return render(
        request,
        "projects/pdsa_detail.html",
        {
            "initiative": initiative,
            "cycle": cycle,
            "can_edit": permissions.can_record_pdsa(request.user, initiative),
            "stages": [PdsaCycle.Stage.DO, PdsaCycle.Stage.STUDY, PdsaCycle.Stage.ACT],
            "crumbs": crumbs((initiative.title, initiative.get_absolute_url())),
        },
    )


@require_http_methods(["GET", "POST"])
def pdsa_stage(request, pk, number, stage):
    initiative, cycle = _cycle(request, pk, number)
    if not permissions.can_record_pdsa(request.user, initiative):
        raise PermissionDenied
    if stage == PdsaCycle.Stage.PLAN:
        form = forms.PdsaPlanForm(request.POST or None, instance=cycle, initiative=initiative)
    elif stage in (PdsaCycle.Stage.DO, PdsaCycle.Stage.STUDY, PdsaCycle.Stage.ACT):
        form = forms.stage_form(stage)(request.POST or None, instance=cycle)
    else:
        raise Http404
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.fields}
        complete = "later" not in request.POST and stage != PdsaCycle.Stage.PLAN
        try:
            services.save_pdsa_stage(cycle_id=cycle.pk, by=request.user, stage=stage, complete=complete, **values)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            label = PdsaCycle.Stage(stage).label
            messages.success(
                request,
                f"You completed the {label} stage of PDSA cycle {cycle.number}."
                if complete
                else f"Your {label} notes for PDSA cycle {cycle.number} are saved.",
            )
            return redirect(cycle)
    return render(
        request,
        "projects/pdsa_form.html",
        {
            "form": form,
            "initiative": initiative,
            "cycle": cycle,
            "heading": f"PDSA cycle {cycle.number}: {PdsaCycle.Stage(stage).label}",
            "crumbs": crumbs(
                (initiative.title, initiative.get_absolute_url()), (f"PDSA {cycle.number}", cycle.get_absolute_url())
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def progress_score(request, pk):
    initiative = initiative_or_404(request, pk)
    if not permissions.can_set_progress_score(request.user, initiative):
        raise PermissionDenied
    suggestion = services.suggest_progress_score(initiative)
    form = forms.ProgressScoreForm(
        request.POST or None, initial={"score": str(suggestion.score)}, suggested=suggestion.score
    )
    if form.is_valid():
        try:
            entry = services.set_progress_score(initiative_id=pk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"You set the progress score to {entry.score}.")
            return redirect(initiative)
    return render(
        request,
        "projects/progress_score_form.html",
        {
            "form": form,
            "initiative": initiative,
            "suggestion": suggestion,
            "scale": services.IHI_SCALE,
            "crumbs": crumbs((initiative.title, initiative.get_absolute_url())),
        },
    )
