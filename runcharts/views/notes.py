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


def _add_to_chart(request, measure, form, save, done: str, template: str):
    """A note on the chart (a new period, an annotation): saved by `save(**cleaned_data)`, or the form again."""
    if request.method == "POST" and form.is_valid():
        try:
            save(measure_id=measure.pk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect(measure)
    return render(request, template, {"measure": measure, "form": form, "crumbs": crumbs(measure.initiative, measure)})


@require_http_methods(["GET", "POST"])
def rephase_add(request, pk: int):
    measure = measure_for(request, pk, edit=True)
    form = RephaseForm(request.POST or None, frequency=measure.frequency)
    done = "The chart starts a new period from that week."
    return _add_to_chart(request, measure, form, services.add_rephase, done, "runcharts/rephase_form.html")


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
    done = "Note added to the chart."
    return _add_to_chart(request, measure, form, services.add_annotation, done, "runcharts/annotation_form.html")


@require_POST
def annotation_remove(request, pk: int, annotation_pk: int):
    measure = measure_for(request, pk, edit=True)
    annotation = get_object_or_404(Annotation, measure=measure, pk=annotation_pk)
    services.remove_annotation(annotation_id=annotation.pk, by=request.user)
    messages.success(request, "Note removed from the chart.")
    return redirect(measure)
