"""Overload (initiativitis) flag pages: see a ward's flag and record a senior manager's decision on it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from projects import forms, services
from projects.models import Decision, OverloadFlag
from projects.overload import load_and_flag_history, with_decision_logs
from qiportal import permissions
from qiportal.forms import add_service_errors


@require_http_methods(["GET", "POST"])
def overload_flag(request, pk):
    flag = get_object_or_404(OverloadFlag.objects.select_related("ward__directorate", "decided_by"), pk=pk)
    if not permissions.can_view_overload(request.user, flag):
        raise PermissionDenied
    can_decide = flag.is_open and permissions.can_decide_overload(request.user, flag)
    form = None
    if can_decide:
        form = forms.OverloadDecisionForm(request.POST or None, ward=flag.ward, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["action"] == forms.ACCEPT:
                    services.accept_overload(
                        flag_id=flag.pk, by=request.user, reason=data["reason"], review_on=data["review_on"]
                    )
                    until = f"{data['review_on']:%-d %B %Y}"
                    messages.success(request, f"You accepted the load on {flag.ward} for now, to review on {until}.")
                else:
                    chosen = list(data["initiatives"])
                    services.act_on_overload(
                        flag_id=flag.pk,
                        by=request.user,
                        initiative_ids=[i.pk for i in chosen],
                        kind=data["action"],
                        reason=data["reason"],
                    )
                    verb = "paused" if data["action"] == Decision.Kind.PAUSE else "halted"
                    messages.success(request, f"You {verb} {len(chosen)} initiative{'s' if len(chosen) != 1 else ''}.")
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("projects:overload_flag", pk=flag.pk)
    elif request.method == "POST":
        raise PermissionDenied
    ward_load, flags = load_and_flag_history(flag.ward)
    # This flag's decisions, as its ward's history read them (an old flag beyond the history's length: read alone).
    shown = next((row for row in flags if row.pk == flag.pk), None) or with_decision_logs([flag])[0]
    context = {
        "flag": flag,
        "decision_log": shown.decision_log,
        "ward": flag.ward,
        "ward_load": ward_load,
        "flags": flags,
        "form": form,
        "can_decide": can_decide,
        "crumbs": [("Home", reverse("home")), (flag.ward.name, flag.ward.get_absolute_url())],
    }
    return render(request, "projects/overload_flag.html", context)
