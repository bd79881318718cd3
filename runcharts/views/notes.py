"""New periods (re-phasing) and notes on a measure's chart."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from runcharts import services
from runcharts.forms import AnnotationForm, RephaseForm
from runcharts.models import Annotation, Rephase
from runcharts.views._common import crumbs, measure_for


@require_http_methods(["GET", "POST"])
def rephase_add(request, pk: int):
    measure = measure_for(request, pk, edit=True)
    form = RephaseForm(request.POST or None, frequency=measure.frequency)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_rephase(measure_id=measure.pk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The chart starts a new period from that week.")
            return redirect(measure)
    return render(
        request,
        "runcharts/rephase_form.html",
        {"measure": measure, "form": form, "crumbs": crumbs(measure.initiative, measure)},
    )


@require_POST
def rephase_remove(request, pk: int, rephase_pk: int):
    measure = measure_for(request, pk, edit=True)
    rephase = get_object_or_404(Rephase, measure=measure, pk=rephase_pk)
    services.remove_rephase(rephase_id=rephase.pk, by=request.user)
    messages.success(request, "The new period was removed. Its reason is kept in the history.")
    return redirect(measure)


@require_http_methods(["GET", "POST"])
def annotation_add(request, pk: int):
    measure = measure_for(request, pk, edit=True)
    form = AnnotationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_annotation(measure_id=measure.pk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Note added to the chart.")
            return redirect(measure)
    return render(
        request,
        "runcharts/annotation_form.html",
        {"measure": measure, "form": form, "crumbs": crumbs(measure.initiative, measure)},
    )


@require_POST
def annotation_remove(request, pk: int, annotation_pk: int):
    measure = measure_for(request, pk, edit=True)
    annotation = get_object_or_404(Annotation, measure=measure, pk=annotation_pk)
    services.remove_annotation(annotation_id=annotation.pk, by=request.user)
    messages.success(request, "Note removed from the chart.")
    return redirect(measure)
