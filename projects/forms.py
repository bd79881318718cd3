from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.utils import timezone

from projects import selectors
from projects.models import ChangeIdea, Decision, Initiative, OverloadFlag, PdsaCycle, ProgressScore, Scope
from projects.services import IHI_SCALE, STAGE_FIELDS, scope_errors
from qiportal.fields import MEDIUM, limit_of
from qiportal.forms import PatientSafeFormMixin, add_form_token
from qiportal.models import Directorate, Role, StrategicPriority, User, Ward

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def _people():
    return User.objects.filter(is_active=True).order_by("first_name", "last_name")


def _helper(form, button: str, secondary: str | None = None) -> FormHelper:
    helper = FormHelper(form)
    helper.add_input(Submit("submit", button))
    if secondary:
        helper.add_input(Submit("later", secondary, css_class="nhsuk-button--secondary"))
    return helper


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name}{f' ({obj.job_title})' if obj.job_title else ''}"


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name}{f' ({obj.job_title})' if obj.job_title else ''}"


# The charter, over four short pages (NHS "one thing per page", loosely) -----------------------------


class CharterAimForm(PatientSafeFormMixin, forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=limit_of(Initiative, "title"),
        error_messages={"required": "Enter a title for the initiative"},
        help_text="A short name staff will recognise, for example ‘Nurse-led discharge on surgical wards’.",
    )
    problem = forms.CharField(
        label="What is the problem and why does it matter?",
        max_length=limit_of(Initiative, "problem"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the problem and why it matters"},
    )
    aim = forms.CharField(
        label="Aim statement",
        max_length=limit_of(Initiative, "aim"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What will improve, by how much, by when. For example: ‘Increase discharges before noon from 20% "
        "to 40% by 31 March 2027’.",
        error_messages={"required": "Enter the aim: what, how much and by when"},
    )


class CharterScopeForm(forms.Form):
    scope = forms.ChoiceField(
        label="Where will this initiative run?",
        choices=Scope.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the initiative will run"},
    )
    wards = forms.ModelMultipleChoiceField(
        label="Wards",
        queryset=Ward.objects.filter(is_active=True).select_related("directorate"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="If it runs on one or more wards, choose them.",
    )
    directorate = forms.ModelChoiceField(
        label="Directorate",
        queryset=Directorate.objects.all(),
        required=False,
        help_text="If it runs across a whole directorate, choose it.",
        empty_label="Choose a directorate",
    )
    priority = forms.ModelChoiceField(
        label="Which strategic priority does it serve?",
        queryset=StrategicPriority.objects.filter(is_active=True),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the strategic priority it serves"},
        empty_label=None,
    )

    def clean(self):
        data = super().clean()
        # One scope at a time: the errors come from the same rule the service applies, next to the field.
        for field, message in scope_errors(data.get("scope"), data.get("wards"), data.get("directorate")).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return data


class CharterPeopleForm(forms.Form):
    lead = PersonChoiceField(
        label="Lead",
        queryset=_people(),
        empty_label="Choose the lead",
        error_messages={"required": "Choose who leads the initiative"},
    )
    team = PeopleChoiceField(
        label="Team members",
        queryset=_people(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Hold Ctrl (or Cmd) to choose more than one.",
    )
    sponsor = PersonChoiceField(
        label="Sponsor",
        queryset=_people(),
        empty_label="Choose the sponsor",
        help_text="A senior manager who will review the initiative and can pause or halt it.",
        error_messages={"required": "Choose a sponsor"},
    )
    coach = PersonChoiceField(label="QI coach", queryset=_people(), required=False, empty_label="No coach")

    def clean_sponsor(self):
        sponsor = self.cleaned_data["sponsor"]
        if not sponsor.has_role(Role.SENIOR_MANAGER):
            raise forms.ValidationError("Choose a sponsor who is a senior manager")
        return sponsor


class CharterPlanForm(PatientSafeFormMixin, forms.Form):
    planned_start_on = forms.DateField(
        label="Planned start",
        **DATE,
        error_messages={
            "required": "Enter the planned start date",
            "invalid": "Enter a real date for the planned start",
        },
    )
    planned_end_on = forms.DateField(
        label="Planned end",
        **DATE,
        error_messages={"required": "Enter the planned end date", "invalid": "Enter a real date for the planned end"},
    )
    change_ideas = forms.CharField(
        label="Change ideas",
        required=False,
        max_length=MEDIUM,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line. Each can have its own PDSA cycles later.",
    )
    review_interval_weeks = forms.IntegerField(
        label="Review every (weeks)",
        min_value=1,
        max_value=52,
        initial=settings.QI["REVIEW_INTERVAL_WEEKS"],
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter how often the sponsor reviews it, in weeks",
            "invalid": "Enter the review interval as a whole number of weeks",
            "min_value": "The review interval must be at least 1 week",
            "max_value": "The review interval must be 52 weeks or fewer",
        },
    )

    def clean_change_ideas(self):
        text = self.cleaned_data.get("change_ideas", "")
        limit = limit_of(ChangeIdea, "title")
        for number, line in enumerate(text.splitlines(), start=1):
            if len(line.strip()) > limit:
                raise forms.ValidationError(
                    f"Change idea {number} is {len(line.strip()):,} characters. Enter each change idea in "
                    f"{limit:,} characters or fewer, one per line"
                )
        return text

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start_on"), data.get("planned_end_on")
        if start and end and end < start:
            self.add_error("planned_end_on", "The planned end must be the same as or after the planned start")
        return data


WIZARD_STEPS = [
    ("aim", "Aim", CharterAimForm),
    ("scope", "Scope and priority", CharterScopeForm),
    ("people", "People", CharterPeopleForm),
    ("plan", "Dates and change ideas", CharterPlanForm),
]


class CharterForm(CharterAimForm, CharterScopeForm, CharterPeopleForm, CharterPlanForm):
    """The whole charter on one page, for editing after the first save."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, "Save changes")

    # clean() comes from the step forms through the MRO: scope checks, then date order.

    @classmethod
    def initial_for(cls, initiative: Initiative) -> dict:
        return {
            "title": initiative.title,
            "problem": initiative.problem,
            "aim": initiative.aim,
            "scope": initiative.scope,
            "wards": list(initiative.wards.all()),
            # A ward initiative's directorate is its wards' (kept for the log), not a second scope to choose.
            "directorate": initiative.directorate if initiative.scope == Scope.DIRECTORATE else None,
            "priority": initiative.priority,
            "lead": initiative.lead,
            "team": list(initiative.team.all()),
            "sponsor": initiative.sponsor,
            "coach": initiative.coach,
            "planned_start_on": initiative.planned_start_on,
            "planned_end_on": initiative.planned_end_on,
            "change_ideas": "\n".join(idea.title for idea in initiative.change_ideas.all()),
            "review_interval_weeks": initiative.review_interval_weeks,
        }


# Decisions -------------------------------------------------------------------------------------------

REASON_LABELS = {
    Decision.Kind.APPROVE: "Anything the team should know? (optional)",
    Decision.Kind.REQUEST_CHANGES: "What needs to change?",
    Decision.Kind.NOT_APPROVE: "Why is it not approved?",
    Decision.Kind.PAUSE: "Why are you pausing this initiative?",
    Decision.Kind.RESUME: "Any note on resuming? (optional)",
    Decision.Kind.HALT: "Why are you halting this initiative?",
    Decision.Kind.COMPLETE: "What did it achieve, and is the change embedded?",
    Decision.Kind.REVIEW_DONE: "Review notes (optional)",
}


class DecisionForm(PatientSafeFormMixin, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=limit_of(Decision, "reason")
    )
    next_review_on = forms.DateField(label="Next review", required=False, **DATE)

    def __init__(self, *args, kind: str, button: str, initial_review=None, warning_needed=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["reason"].label = REASON_LABELS[kind]
        self.fields["reason"].required = kind in Decision.REASON_REQUIRED or warning_needed
        self.fields["reason"].error_messages["required"] = (
            "Enter why you are approving despite the readiness warning"
            if warning_needed and kind not in Decision.REASON_REQUIRED
            else f"Enter {REASON_LABELS[kind][0].lower()}{REASON_LABELS[kind][1:].rstrip('?')}"
        )
        if kind == Decision.Kind.REVIEW_DONE:
            self.fields["next_review_on"].required = True
            self.fields["next_review_on"].initial = initial_review
            self.fields["next_review_on"].error_messages["required"] = "Enter the date of the next review"
        else:
            del self.fields["next_review_on"]
        self.helper = _helper(self, button)

    def clean_next_review_on(self):
        value = self.cleaned_data.get("next_review_on")
        if value and value <= timezone.localdate():
            raise forms.ValidationError("The next review date must be in the future")
        return value


# PDSA cycles -----------------------------------------------------------------------------------------


class PdsaPlanForm(PatientSafeFormMixin, forms.ModelForm):
    class Meta:
        model = PdsaCycle
        fields = STAGE_FIELDS[PdsaCycle.Stage.PLAN]
        widgets = {
            "starts_on": DATE["widget"],
            "planned_end_on": DATE["widget"],
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in ["objective", "questions", "predictions", "who_what_where_when", "data_to_collect"]
            },
        }
        labels = {"title": "What are you testing?", "objective": "Objective"}
        help_texts = {
            "predictions": "What do you expect to happen?",
            "starts_on": "Run charts show a marker at this date.",
            "measure": "The measure this cycle should move, if any.",
        }
        error_messages = {
            "title": {"required": "Enter what you are testing"},
            "objective": {"required": "Enter the objective of this cycle"},
            "starts_on": {"required": "Enter the start date", "invalid": "Enter a real start date"},
            "planned_end_on": {"required": "Enter the planned end date", "invalid": "Enter a real planned end date"},
        }

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["change_idea"].queryset = initiative.change_ideas.all()
        self.fields["change_idea"].empty_label = "Not linked to a change idea"
        self.fields["measure"].queryset = initiative.measures.all()
        self.fields["measure"].empty_label = "Not linked to a measure"
        self.helper = _helper(self, "Save plan")
        if self.instance.pk is None:
            add_form_token(self.helper)

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("planned_end_on")
        if start and end and end < start:
            self.add_error("planned_end_on", "The planned end must be the same as or after the start date")
        return data


def stage_form(stage: str):
    stage_fields = STAGE_FIELDS[stage]

    class StageForm(PatientSafeFormMixin, forms.ModelForm):
        class Meta:
            model = PdsaCycle
            fields = stage_fields
            widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in stage_fields if name != "act_decision"}
            labels = {
                "what_happened": "What happened?",
                "results": "Results against your predictions",
                "learning": "What did you learn?",
                "act_decision": "What will you do with the change?",
                "next_steps": "What next?",
            }

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if "act_decision" in self.fields:
                self.fields["act_decision"].widget = forms.RadioSelect(choices=PdsaCycle.ActDecision.choices)
                self.fields["act_decision"].choices = PdsaCycle.ActDecision.choices
            self.helper = _helper(self, f"Save and complete {stage} stage", "Save and come back later")

    return StageForm


# Progress score ----------------------------------------------------------------------------------------


class ProgressScoreForm(PatientSafeFormMixin, forms.Form):
    score = forms.TypedChoiceField(
        label="Progress score",
        choices=[(str(score), f"{score} – {label}") for score, label, _ in IHI_SCALE],
        coerce=Decimal,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a progress score"},
    )
    note = forms.CharField(
        label="Note",
        max_length=limit_of(ProgressScore, "note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter a note on the evidence for this score"},
    )
    why_different = forms.CharField(
        label="If you chose a different score from the suggestion, why?",
        required=False,
        max_length=limit_of(ProgressScore, "why_different"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, "Save progress score")


class ConfirmSubmitForm(forms.Form):
    pass


MULTIPLE = (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)


class NewInitiativeWizard:
    """What a QI lead has entered so far on the four pages of a new initiative, kept in their session until they
    save it from the check-your-answers page."""

    SESSION_KEY = "new_initiative"
    keys = [key for key, _, _ in WIZARD_STEPS]

    def __init__(self, session, user):
        self.session = session
        self.user = user

    @property
    def data(self) -> dict:
        return self.session.setdefault(self.SESSION_KEY, {})

    def start(self) -> None:
        self.session[self.SESSION_KEY] = {}

    def clear(self) -> None:
        self.session.pop(self.SESSION_KEY, None)

    def form(self, key: str, posted=None) -> forms.Form:
        """The step's form: bound to what was posted, else to what was entered before, else blank."""
        form_class = {k: c for k, _, c in WIZARD_STEPS}[key]
        if posted is not None:
            form = form_class(posted)
        elif key in self.data:
            form = form_class(self.data[key])  # what they entered before, to check or change
        else:
            form = form_class(initial={"lead": self.user.pk} if key == "people" else None)
        form.helper = _helper(form, "Continue")
        return form

    def keep(self, key: str, form: forms.Form) -> None:
        """Keep a valid step's raw answers (lists for multiple choices) to bind the form again later."""
        self.data[key] = {
            name: form.data.getlist(name) if isinstance(field, MULTIPLE) else form.data.get(name, "")
            for name, field in form.fields.items()
        }
        self.session.modified = True

    def bound_steps(self) -> list[tuple[str, str, forms.Form]]:
        return [(key, title, form_class(self.data.get(key))) for key, title, form_class in WIZARD_STEPS]

    @staticmethod
    def first_unfinished(steps) -> str | None:
        return next((key for key, _, form in steps if not form.is_valid()), None)

    @staticmethod
    def answers(steps) -> dict:
        cleaned = {}
        for _, _, form in steps:
            cleaned.update(form.cleaned_data)
        return cleaned


def answers_as_read(form) -> list[tuple[str, str]]:
    """A step's answers as a person reads them, for the check-your-answers page."""
    rows = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if hasattr(field, "choices") and not hasattr(value, "pk") and not isinstance(value, list | tuple):
            value = dict(field.choices).get(value, value)
        if hasattr(value, "all") or isinstance(value, list | tuple):
            value = ", ".join(getattr(item, "display_name", str(item)) for item in value)
        elif hasattr(value, "strftime"):
            value = f"{value:%-d %B %Y}"
        elif value is not None and hasattr(value, "pk"):
            value = getattr(value, "display_name", str(value))
        rows.append((field.label, "" if value is None else str(value)))
    return rows


# A senior manager's decision on an overload flag --------------------------------------------------------

ACCEPT = "accept"


class OverloadDecisionForm(PatientSafeFormMixin, forms.Form):
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
        max_length=limit_of(OverloadFlag, "decision_reason"),
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
