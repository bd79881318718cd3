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
from qiportal.forms import PatientSafeFormMixin, add_form_token, required_when, text_box
from qiportal.models import Directorate, Role, RoleAssignment, StrategicPriority, User, Ward, people_choices
from qiportal.widgets import PARTS, CheckboxPicker, DateField, Listed, LongSelect, NhsDateInput


def _people():
    return User.objects.filter(is_active=True).order_by("first_name", "last_name")


def _helper(form, button: str, secondary: str | None = None) -> FormHelper:
    helper = FormHelper(form)
    helper.add_input(Submit("submit", button))
    if secondary:
        helper.add_input(Submit("later", secondary, css_class="nhsuk-button--secondary"))
    return helper


def person_label(name: str, job_title: str) -> str:
    """How a person is offered in the charter's lists: their name and job title."""
    return f"{name} ({job_title})" if job_title else name


class PersonLabel:
    def label_from_instance(self, obj):
        return person_label(obj.display_name, obj.job_title)


class PersonChoiceField(PersonLabel, forms.ModelChoiceField):
    widget = LongSelect  # every member of staff: options written in one pass


class PeopleChoiceField(PersonLabel, forms.ModelMultipleChoiceField):
    pass


# The charter, over four short pages (NHS "one thing per page", loosely) -----------------------------


class CharterAimForm(PatientSafeFormMixin, forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=limit_of(Initiative, "title"),
        error_messages={"required": "Enter a title for the initiative"},
        help_text="A short name staff will recognise, for example ‘Nurse-led discharge on surgical wards’.",
    )
    problem = text_box(
        Initiative,
        "problem",
        "What is the problem and why does it matter?",
        rows=4,
        required="Enter the problem and why it matters",
    )
    aim = text_box(
        Initiative,
        "aim",
        "Aim statement",
        required="Enter the aim: what, how much and by when",
        help_text="What will improve, by how much, by when. For example: ‘Increase discharges before noon from 20% "
        "to 40% by 31 March 2027’.",
    )


class CharterScopeForm(forms.Form):
    scope = forms.ChoiceField(
        label="Where will this initiative run?",
        choices=Scope.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the initiative will run"},
    )
    wards = required_when(
        forms.ModelMultipleChoiceField(
            label="Wards",
            queryset=Ward.objects.filter(is_active=True).select_related("directorate"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        ),
        "Needed if it runs on one or more wards: choose them.",
    )
    directorate = required_when(
        forms.ModelChoiceField(
            label="Directorate",
            queryset=Directorate.objects.all(),
            required=False,
            empty_label="Choose a directorate",
        ),
        "Needed if it runs across a whole directorate.",
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
        widget=CheckboxPicker(noun="people"),
        help_text="Choose everyone who works on the initiative with the lead.",
    )
    sponsor = PersonChoiceField(
        label="Sponsor",
        # Only senior managers may sponsor: the list offers them alone, not every member of staff.
        queryset=_people().filter(pk__in=RoleAssignment.objects.filter(role=Role.SENIOR_MANAGER).values("user_id")),
        empty_label="Choose the sponsor",
        help_text="A senior manager who will review the initiative and can pause or halt it.",
        error_messages={
            "required": "Choose a sponsor",
            "invalid_choice": "Choose a sponsor who is a senior manager",
        },
    )
    coach = PersonChoiceField(label="QI coach", queryset=_people(), required=False, empty_label="No coach")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Lead, team and coach offer the same people: read once as (id, label) pairs for all three lists (each
        # field still checks what is sent against its own queryset).
        people = people_choices(self.fields["lead"].queryset, person_label)
        for name in ("lead", "coach"):
            self.fields[name].widget.choices = Listed([("", self.fields[name].empty_label), *people])
        self.fields["team"].widget.choices = people


class CharterPlanForm(PatientSafeFormMixin, forms.Form):
    planned_start_on = DateField(
        label="Planned start",
        subject="Planned start date",
        help_text="For example, 2 3 2026",
        error_messages={"required": "Enter the planned start date"},
    )
    planned_end_on = DateField(
        label="Planned end",
        subject="Planned end date",
        help_text="For example, 31 3 2027",
        error_messages={"required": "Enter the planned end date"},
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
    """The whole charter on one page, for editing after the first save, its questions in the wizard's order."""

    field_order = [name for _, _, step in WIZARD_STEPS for name in step.base_fields]

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

# The question each decision asks, and, where an answer is required, the error written for when it is left empty.
# The crispy pack adds "(optional)" to the questions that are not required.
REASON_LABELS = {
    Decision.Kind.APPROVE: "Anything the team should know?",
    Decision.Kind.REQUEST_CHANGES: "What needs to change?",
    Decision.Kind.NOT_APPROVE: "Why is it not approved?",
    Decision.Kind.PAUSE: "Why are you pausing this initiative?",
    Decision.Kind.RESUME: "Any note on resuming?",
    Decision.Kind.HALT: "Why are you halting this initiative?",
    Decision.Kind.COMPLETE: "What did it achieve, and is the change embedded?",
    Decision.Kind.REVIEW_DONE: "Review notes",
}
REASON_MISSING = {
    Decision.Kind.REQUEST_CHANGES: "Enter what needs to change",
    Decision.Kind.NOT_APPROVE: "Enter why it is not approved",
    Decision.Kind.PAUSE: "Enter why you are pausing this initiative",
    Decision.Kind.HALT: "Enter why you are halting this initiative",
    Decision.Kind.COMPLETE: "Enter what it achieved and whether the change is embedded",
}
READINESS_WARNING_LABEL = "Why are you approving it despite the readiness warning?"
READINESS_WARNING_MISSING = "Enter why you are approving despite the readiness warning"


class DecisionForm(PatientSafeFormMixin, forms.Form):
    reason = text_box(Decision, "reason", None, rows=4)
    next_review_on = DateField(label="Next review", subject="Next review date", required=False)

    def __init__(self, *args, kind: str, button: str, initial_review=None, warning_needed=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        reason = self.fields["reason"]
        reason.label = REASON_LABELS[kind]
        reason.required = kind in Decision.REASON_REQUIRED or warning_needed
        if warning_needed and kind not in Decision.REASON_REQUIRED:
            reason.label = READINESS_WARNING_LABEL
            reason.help_text = "Needed because a ward's readiness audit is missing, out of date or weak."
            reason.error_messages["required"] = READINESS_WARNING_MISSING
        elif reason.required:
            reason.error_messages["required"] = REASON_MISSING.get(kind, "Enter your reason")
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
    change_idea = forms.ModelChoiceField(
        label="Change idea",
        queryset=ChangeIdea.objects.none(),
        required=False,
        empty_label="Not linked to a change idea",
    )
    measure = forms.ModelChoiceField(
        label="Measure",
        queryset=PdsaCycle._meta.get_field("measure").related_model.objects.none(),
        required=False,
        empty_label="Not linked to a measure",
        help_text="The measure this cycle should move, if any.",
    )
    starts_on = DateField(
        label="Start date",
        help_text="For example, 2 3 2026. Run charts show a marker at this date.",
        error_messages={"required": "Enter the start date"},
    )
    planned_end_on = DateField(
        label="Planned end",
        subject="Planned end date",
        error_messages={"required": "Enter the planned end date"},
    )

    class Meta:
        model = PdsaCycle
        fields = STAGE_FIELDS[PdsaCycle.Stage.PLAN]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ["objective", "questions", "predictions", "who_what_where_when", "data_to_collect"]
        }
        labels = {"title": "What are you testing?", "objective": "Objective"}
        help_texts = {
            "predictions": "What do you expect to happen?",
        }
        error_messages = {
            "title": {"required": "Enter what you are testing"},
            "objective": {"required": "Enter the objective of this cycle"},
        }

    def __init__(self, *args, initiative: Initiative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["change_idea"].queryset = initiative.change_ideas.all()
        self.fields["measure"].queryset = initiative.measures.all()
        self.helper = _helper(self, "Save plan")
        if self.instance.pk is None:
            add_form_token(self.helper)

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("planned_end_on")
        if start and end and end < start:
            self.add_error("planned_end_on", "The planned end must be the same as or after the start date")
        return data


# The answer each stage needs before it can be completed (projects.services.save_pdsa_stage checks it).
STAGE_REQUIRED = {
    PdsaCycle.Stage.DO: "what_happened",
    PdsaCycle.Stage.STUDY: "results",
    PdsaCycle.Stage.ACT: "act_decision",
}


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
            needed = STAGE_REQUIRED.get(stage)
            if needed in self.fields:
                required_when(
                    self.fields[needed],
                    f"Needed to complete the {PdsaCycle.Stage(stage).label} stage. "
                    "You can save and come back later without it.",
                )
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
    note = text_box(ProgressScore, "note", "Note", required="Enter a note on the evidence for this score")
    why_different = required_when(
        text_box(ProgressScore, "why_different", "If you chose a different score from the suggestion, why?"),
        "Needed if you choose a score other than the suggested one.",
    )

    def __init__(self, *args, suggested: Decimal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggested = suggested
        self.helper = _helper(self, "Save progress score")

    def clean(self):
        # Every missing answer at once: the service would otherwise report the reason only after the note.
        data = super().clean()
        score = data.get("score")
        if (
            self.suggested is not None
            and score is not None
            and score != self.suggested
            and not (data.get("why_different") or "").strip()
            and "why_different" not in self.errors
        ):
            self.add_error("why_different", f"Enter why you chose {score} rather than the suggested {self.suggested}")
        return data


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
        """Keep a valid step's raw answers (lists for multiple choices, each box of a date) to bind the form again
        later."""
        kept = {}
        for name, field in form.fields.items():
            if isinstance(field, MULTIPLE):
                kept[name] = form.data.getlist(name)
            elif isinstance(field.widget, NhsDateInput):
                value = form.cleaned_data.get(name)
                kept.update({f"{name}_{part}": str(getattr(value, part, "")) for part in PARTS})
            else:
                kept[name] = form.data.get(name, "")
        self.data[key] = kept
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
    initiatives = required_when(
        forms.ModelMultipleChoiceField(
            label="Initiatives to pause or halt",
            queryset=Initiative.objects.none(),
            widget=forms.CheckboxSelectMultiple,
            required=False,
            help_text="The lead, team and sponsor of each are told.",
        ),
        "Needed if you pause or halt.",
    )
    reason = text_box(OverloadFlag, "decision_reason", "Your reason", rows=4, required="Enter your reason")
    review_on = required_when(
        DateField(
            label="Review this decision on", subject="Review date", required=False, help_text="For example, 15 3 2027."
        ),
        "Needed if you accept the load for now.",
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
