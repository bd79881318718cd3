"""Logging a new initiative (four short pages, then check your answers), editing the charter and submitting it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from projects import forms, selectors, services
from projects.models import Decision
from projects.views.common import crumbs, initiative_or_404
from qiportal import permissions
from qiportal.forms import add_service_errors

K = Decision.Kind


@require_http_methods(["GET", "POST"])
def initiative_create(request, step=None):
    if not permissions.can_create_initiative(request.user):
        raise PermissionDenied
    wizard = forms.NewInitiativeWizard(request.session, request.user)
    keys = wizard.keys
    if step is None:
        wizard.start()
        return redirect("projects:initiative_create_step", step=keys[0])
    if step not in keys:
        raise Http404
    index = keys.index(step)
    title = forms.WIZARD_STEPS[index][1]
    form = wizard.form(step, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        wizard.keep(step, form)
        if request.GET.get("change") or index == len(keys) - 1:
            return redirect("projects:initiative_check")
        return redirect("projects:initiative_create_step", step=keys[index + 1])
    back = (
        reverse("projects:initiative_create_step", args=[keys[index - 1]]) if index else reverse("projects:portfolio")
    )
    return render(
        request,
        "projects/initiative_form_step.html",
        {"form": form, "step_title": title, "number": index + 1, "total": len(keys), "back": back},
    )


@require_http_methods(["GET", "POST"])
def initiative_check(request):
    if not permissions.can_create_initiative(request.user):
        raise PermissionDenied
    wizard = forms.NewInitiativeWizard(request.session, request.user)
    steps = wizard.bound_steps()
    unfinished = wizard.first_unfinished(steps)
    if unfinished is not None:
        messages.error(request, "Some answers are missing. Check this page and continue.")
        return redirect("projects:initiative_create_step", step=unfinished)
    cleaned = wizard.answers(steps)
    similar = selectors.similar_live_initiatives(
        cleaned["title"], cleaned.get("wards") or [], cleaned["scope"], cleaned.get("directorate")
    )
    if request.method == "POST":
        try:
            initiative = services.create_initiative(
                by=request.user,
                change_ideas=cleaned.pop("change_ideas", "").splitlines(),
                **cleaned,
            )
            if request.POST.get("action") == "submit":
                services.decide(initiative_id=initiative.pk, kind=K.SUBMIT, by=request.user)
                messages.success(
                    request, f"You submitted ‘{initiative.title}’ for review. The sponsor will be emailed."
                )
            else:
                messages.success(request, f"You saved ‘{initiative.title}’ as a draft.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("projects:initiative_check")
        wizard.clear()
        return redirect(initiative)
    return render(
        request,
        "projects/initiative_check.html",
        {"similar": similar, "summary": [(key, title, forms.answers_as_read(form)) for key, title, form in steps]},
    )


@require_http_methods(["GET", "POST"])
def initiative_edit(request, pk):
    initiative = initiative_or_404(request, pk)
    if not permissions.can_edit_initiative(request.user, initiative):
        raise PermissionDenied
    form = forms.CharterForm(request.POST or None, initial=forms.CharterForm.initial_for(initiative))
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.update_charter(
                initiative_id=pk,
                by=request.user,
                wards=data.pop("wards"),
                team=data.pop("team"),
                change_ideas=data.pop("change_ideas").splitlines(),
                **data,
            )
            messages.success(request, "Your changes to the charter were saved. The history below shows them.")
            return redirect(initiative)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "projects/initiative_edit.html",
        {"form": form, "initiative": initiative, "crumbs": crumbs((initiative.title, initiative.get_absolute_url()))},
    )


@require_http_methods(["GET", "POST"])
def initiative_submit(request, pk):
    initiative = initiative_or_404(request, pk)
    if not permissions.can_submit_initiative(request.user, initiative):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.decide(initiative_id=pk, kind=K.SUBMIT, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(initiative)
        messages.success(request, f"You submitted ‘{initiative.title}’ for review. The sponsor will be emailed.")
        return redirect(initiative)
    return render(
        request,
        "projects/initiative_submit.html",
        {"initiative": initiative, "crumbs": crumbs((initiative.title, initiative.get_absolute_url()))},
    )
