"""Overload (initiativitis) flag pages: see a ward's flag and record a senior manager's decision on it."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from projects import selectors, services
from projects.models import Decision, Initiative, OverloadFlag
from projects.overload import flag_history, ward_load
from qiportal import permissions
from qiportal.forms import add_service_errors

ACCEPT = "accept"


class OverloadDecisionForm(forms.Form):
    action = forms.ChoiceField(
        label="What do you decide?",
        widget=forms.RadioSelect,
        choices=[
            (ACCEPT, "Accept this load for now"),
            (Decision.Kind.PAUSE, "Pause chosen initiatives"),
            (Decision.Kind.HALT, "Halt chosen initiatives"),
        ],
        error_messages={"required": "Choose what you decide"},
    )
    initiatives = forms.ModelMultipleChoiceField(
        label="Initiatives to pause or halt",
        queryset=Initiative.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Only if you pause or halt. The lead, team and sponsor of each are told.",
    )
    reason = forms.CharField(
        label="Your reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter your reason"},
    )
    review_on = forms.DateField(
        label="Review this decision on",
        required=False,
        help_text="Only if you accept the load for now. For example, 15/3/2027.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, ward, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what this person may decide on: the choices and the service ask the same can_decide.
        decidable = [initiative.pk for initiative in selectors.decidable_on_ward(user, ward)]
        self.fields["initiatives"].queryset = (
            Initiative.objects.filter(pk__in=decidable)
            .select_related("lead")
            .prefetch_related("wards")
            .order_by("title")
        )
        self.fields["initiatives"].label_from_instance = lambda i: f"{i.title} ({i.scope_label()}; lead {i.lead})"
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", "Record decision"))

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == ACCEPT:
            review_on = data.get("review_on")
            if review_on is None and "review_on" not in self.errors:
                self.add_error("review_on", "Enter the date to review this decision")
            elif review_on is not None and review_on <= timezone.localdate():
                self.add_error("review_on", "The review date must be in the future")
        elif action and not data.get("initiatives") and "initiatives" not in self.errors:
            self.add_error("initiatives", "Choose at least one initiative to pause or halt")
        return data


@require_http_methods(["GET", "POST"])
def overload_flag(request, pk):
    flag = get_object_or_404(OverloadFlag.objects.select_related("ward__directorate", "decided_by"), pk=pk)
    if not permissions.can_view_overload(request.user, flag):
        raise PermissionDenied
    can_decide = flag.is_open and permissions.can_decide_overload(request.user, flag)
    form = None
    if can_decide:
        form = OverloadDecisionForm(request.POST or None, ward=flag.ward, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["action"] == ACCEPT:
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
    context = {
        "flag": flag,
        "ward": flag.ward,
        "ward_load": ward_load(flag.ward),
        "flags": flag_history(flag.ward),
        "form": form,
        "can_decide": can_decide,
        "crumbs": [("Home", reverse("home")), (flag.ward.name, flag.ward.get_absolute_url())],
    }
    return render(request, "projects/overload_flag.html", context)
